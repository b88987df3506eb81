"""Sentences a service writes for people to read later, kept as message ids and values.

An offer's reason or a price's rule is read by staff in Indonesian, by a reseller in
English, by an API client as text: stored as a finished English sentence it could only
ever be shown in English. Stored as phrases, each page writes it in the reader's language
(:meth:`hub.core.i18n.Formatter.phrases`), numbers in the reader's locale (``1,5`` in
Indonesian); :func:`english` gives the text the API and older rows carry.

A phrase is ``(message id, values)``. A number is stored exact, as text, under ``{"n": …}``,
an amount of rupiah under ``{"rp": …}`` and an instant (UTC, ISO) under ``{"at": …}``, so
each is written per locale (and time zone) when shown; any other value (a name, a region) is
shown as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from shared.errors import fill

Phrase = tuple[str, dict[str, Any]]


def number(x: Decimal | int) -> dict[str, str]:
    """A value to write as a number in the reader's locale."""
    return {"n": str(x)}


def money(x: Decimal) -> dict[str, str]:
    """An amount to write as rupiah in the reader's locale."""
    return {"rp": str(x)}


def moment(at: dt.datetime) -> dict[str, str]:
    """An instant to write in the reader's time zone."""
    return {"at": at.astimezone(dt.timezone.utc).isoformat()}


def kind_of(value: Any) -> str | None:
    """``n``, ``rp`` or ``at`` for a typed value, None for one shown as it is."""
    if isinstance(value, Mapping) and len(value) == 1:
        (key,) = value
        return key if key in ("n", "rp", "at") else None
    return None


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as the English text shows them: numbers and amounts as their own text
    (``1.5``, ``15000.00``), instants as ``2026-12-07 01:00 UTC``."""
    out = {}
    for k, v in values.items():
        kind = kind_of(v)
        if kind == "at":
            out[k] = f"{dt.datetime.fromisoformat(v['at']):%Y-%m-%d %H:%M} UTC"
        else:
            out[k] = v[kind] if kind else v
    return out


def english(phrases: Iterable[Phrase]) -> str:
    """The phrases as one English text (each message id is its English wording)."""
    return " ".join(fill(template, plain(values)) for template, values in phrases)


def stored(phrases: Iterable[Phrase]) -> list[list[Any]]:
    """Phrases as a JSON column holds them: lists, and every value JSON can carry (an error's
    values may be paths or exceptions: kept as their text)."""
    return [[template, {k: _json(v) for k, v in values.items()}] for template, values in phrases]


def _json(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)) or kind_of(value):
        return value
    return str(value)
