"""Languages of the UI (Indonesian, English) and per-locale dates, numbers and money (Babel).

Messages are written in English in the templates (``{{ _("Sign in") }}``) and
translated from ``hub/locales/<lang>.json``; a missing translation falls back
to the English text, so a page never breaks over a missing entry.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from shared.errors import fill

LOCALES = ("id", "en")
HUB = Path(__file__).resolve().parent.parent
LOCALE_DIR = HUB / "locales"
DISPLAY_TZ = ZoneInfo("Asia/Jakarta")  # WIB: the business's clock


def catalogue_files(lang: str) -> list[Path]:
    """The shared catalogue first, then each capability's own (``hub/<capability>/locales/``).

    Each capability keeps its strings beside its pages, so capabilities add messages
    without touching one another's files.
    """
    return [LOCALE_DIR / f"{lang}.json", *sorted(HUB.glob(f"*/locales/{lang}.json"))]


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in catalogue_files(lang):
        if path.exists():
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def pick(requested: str | None, default: str = "id") -> str:
    return requested if requested in LOCALES else default


class Formatter:
    """Everything a template needs to speak one language."""

    def __init__(self, lang: str) -> None:
        self.lang = pick(lang)
        self._messages = catalogue(self.lang)

    def gettext(self, text: str, **values: Any) -> str:
        out = self._messages.get(text) or text
        return out.format(**values) if values else out

    def message(self, template: str, values: Mapping[str, Any]) -> str:
        """An error's template (its English text is the id) translated and filled with ``values``;
        never fails: a translation that names a value it was not given falls back to English."""
        translated = self._messages.get(template)
        if translated:
            out = fill(translated, values)
            if out != translated or "{" not in translated:
                return out
        return fill(template, values)

    def number(self, value: Any, digits: int | None = None) -> str:
        if value is None:
            return "—"
        fmt = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(Decimal(str(value)), format=fmt, locale=self.lang)

    def money(self, value: Any) -> str:
        """Rupiah without cents, grouped per locale: ``Rp 1.234.567`` (id), ``Rp 1,234,567`` (en)."""
        if value is None:
            return "—"
        amount = Decimal(str(value)).quantize(Decimal(1))
        sign = "-" if amount < 0 else ""
        return f"{sign}Rp {format_decimal(abs(amount), format='#,##0', locale=self.lang)}"

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return "—"
        return format_datetime(value, "medium", tzinfo=DISPLAY_TZ, locale=self.lang)

    def date(self, value: dt.date | None) -> str:
        return "—" if value is None else format_date(value, "medium", locale=self.lang)

    def age(self, seconds: float | None) -> str:
        """A short duration: ``3 j 5 m`` / ``3 h 5 m``."""
        if seconds is None:
            return "—"
        minutes = int(seconds // 60)
        d, rem = divmod(minutes, 24 * 60)
        h, m = divmod(rem, 60)
        units = {"id": ("hr", "j", "m"), "en": ("d", "h", "m")}[self.lang]
        parts = [f"{d} {units[0]}"] if d else []
        return " ".join([*parts, f"{h} {units[1]}", f"{m} {units[2]}"])
