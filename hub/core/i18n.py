"""Languages of the UI (Indonesian, English) and per-locale dates, numbers and money (Babel).

Messages are written in English in the templates (``{{ _("Sign in") }}``) and
translated from ``hub/locales/<lang>.json``; a missing translation falls back
to the English text, so a page never breaks over a missing entry.

Input goes the other way through ONE parser: :func:`parse_decimal`, :func:`parse_int`
and :func:`parse_date` accept numbers and dates the way this module displays them in
the chosen locale (``1.446.476,00`` and ``391.002`` in Indonesian, ``1,446,476.00`` in
English) as well as plain machine text (``1446476.00``, ``2026-12-06``). Errors they
raise carry an English message id and its values (:func:`translatable`), so a page or
the API error handler shows them in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

from hub.core import localeformat
from hub.core.phrases import kind_of
from shared.errors import ConfigError, DataError, SyncHubError, fill, problem_parts

LOCALES = ("id", "en")
ONE = "|one"  # a catalogue key's suffix for its form with a count of one
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


def zone(name: str | None) -> ZoneInfo:
    """A user's or reseller's IANA time zone, WIB when unset or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            pass
    return DISPLAY_TZ


class Formatter:
    """Everything a template needs to speak one language (and show times in one zone)."""

    def __init__(self, lang: str, tz: str | None = None) -> None:
        self.lang = pick(lang)
        self.tz = zone(tz)
        self._messages = catalogue(self.lang)

    def gettext(self, text: str, **values: Any) -> str:
        """``text`` translated and filled; a count of one (``n`` shown as ``1``) reads the
        catalogue's ``<text>|one`` form when it has one (English: ``1 product``, ``2 products``;
        Indonesian needs none)."""
        out = None
        if values and str(values.get("n", "")) == "1":
            out = self._messages.get(text + ONE)
        out = out or self._messages.get(text) or text
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

    def error(self, exc: BaseException) -> str:
        """A project error in this language: message — hint, then its problems one a line."""
        if not isinstance(exc, SyncHubError):
            return self.gettext(str(exc))
        values = exc.context
        if isinstance(exc, ConfigError):
            text = self.message("{count} configuration problem(s)", values)
        else:
            text = self.message(exc.template, values)
        if exc.hint_template:
            text += " — " + self.message(exc.hint_template, values)
        lines = [
            f"{where}: {self.message(what, given)}" if where else self.message(what, given)
            for where, what, given in problem_parts(exc)
        ]
        return "\n".join([text, *lines])

    def number(self, value: Any, digits: int | None = None) -> str:
        if value is None:
            return "—"
        return localeformat.number(Decimal(str(value)), self.lang, digits)

    def phrases(self, phrases: Iterable[Sequence[Any]] | None, stored_text: str | None = "") -> str:
        """Phrases a service stored (:mod:`hub.core.phrases`) as one text in this language,
        numbers and rupiah in its locale (with the decimals they were stored with), instants
        in the reader's time zone; ``stored_text`` when there are no phrases."""
        if not phrases:  # a row from before its phrases were kept: its (English) text
            return stored_text or ""
        return " ".join(
            self.message(template, {k: self._typed(v) for k, v in values.items()})
            for template, values in phrases
        )

    def _typed(self, value: Any) -> Any:
        kind = kind_of(value)
        if kind == "at":
            return self.datetime(dt.datetime.fromisoformat(value["at"]))
        if kind is None:
            return value
        exact = Decimal(value[kind])
        if kind == "rp":
            return self.money(exact, cents=exact != exact.to_integral_value())
        exponent = exact.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return localeformat.number(exact, self.lang, places)

    def money(self, value: Any, *, cents: bool = False) -> str:
        """:func:`money` in this language."""
        return money(value, self.lang, cents=cents)

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return "—"
        return localeformat.datetime(value, self.lang, self.tz)

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return "—"
        day = value.date() if isinstance(value, dt.datetime) else value  # as Babel does
        return localeformat.date(day, self.lang)

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


def money(value: Any, lang: str = "id", *, cents: bool = False) -> str:
    """Rupiah as the hub writes it everywhere (pages, documents, messages): grouped per locale,
    ``Rp 1.234.567`` (id), ``Rp 1,234,567`` (en); ``cents`` for invoices (``Rp 1.234.567,50``).
    Exact: the Decimal is rounded (half to even, as before) to the rupiah or the cent, never
    through a float."""
    if value is None or value == "":
        return "—"
    step = Decimal("0.01") if cents else Decimal(1)
    amount = Decimal(str(value)).quantize(step)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {localeformat.number(abs(amount), pick(lang), 2 if cents else 0)}"


# --- errors in the reader's language ------------------------------------------------------


def translatable(
    cls: type[SyncHubError], msgid: str, hint: str | None = None, **values: Any
) -> SyncHubError:
    """``cls(msgid, hint=hint, **values)``: every project error's message is a template (its
    message id) with its values apart, translated by :meth:`Formatter.error` and the API's
    error handler (kept for the callers that build errors this way)."""
    return cls(msgid, hint=hint, **values)


# --- input: numbers and dates as displayed -------------------------------------------------

# (group separator, decimal separator) of each locale, as Formatter.number writes them.
SEPARATORS = {"id": (".", ","), "en": (",", ".")}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"^(rp\.?|idr)", re.IGNORECASE)
_DIGITS = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?:X\d{3})+$")


def _not_a_number(raw: str, lang: str) -> SyncHubError:
    example = format_decimal(Decimal("1446476.5"), format="#,##0.00", locale=pick(lang))
    return translatable(
        DataError,
        "{value} is not a number",
        "write it as shown on the screen, e.g. {example}",
        value=repr(raw),
        example=example,
    )


def _integer_part(text: str, group: str) -> str | None:
    if _DIGITS.match(text):
        return text
    if group in text and _GROUPED.match(text.replace(group, "X")):
        return text.replace(group, "")
    return None


def parse_decimal(raw: Any, lang: str) -> Decimal:
    """A number typed or pasted by a person in locale ``lang``; ``DataError`` names what is wrong.

    Rules: the locale's own grouping and decimal separators as displayed; a lone "other"
    separator followed by anything but exactly three digits is a decimal point (``12.50``
    pasted into the Indonesian UI is 12.5, while ``391.002`` there is 391002, as shown);
    ``Rp``/``IDR`` and spaces are ignored; a leading ``-`` makes it negative.
    """
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    text = _SPACES.sub("", str(raw or ""))
    sign = ""
    if text[:1] in "+-" and text:
        sign, text = text[0].replace("+", ""), text[1:]
    text = _CURRENCY.sub("", text)
    if text[:1] == "-" and not sign:
        sign, text = "-", text[1:]
    group, point = SEPARATORS[pick(lang)]
    whole, frac = text, ""
    if text.count(point) == 1:
        whole, frac = text.split(point)
    elif text.count(point) == 0 and text.count(group) == 1:
        head, tail = text.split(group)
        if not (len(tail) == 3 and _DIGITS.match(tail)):  # not a thousands group: a decimal point
            whole, frac = head, tail
            if not frac:
                raise _not_a_number(str(raw), lang)
    integer = _integer_part(whole, group) if whole else ("0" if frac else None)
    if integer is None or (frac and not _DIGITS.match(frac)):
        raise _not_a_number(str(raw), lang)
    return Decimal(f"{sign}{integer}.{frac}" if frac else f"{sign}{integer}")


def parse_int(raw: Any, lang: str) -> int:
    """A whole number as displayed (``1.200`` in Indonesian, ``1,200`` in English)."""
    value = parse_decimal(raw, lang)
    if value != value.to_integral_value():
        raise translatable(
            DataError, "{value} is not a whole number", "leave out the decimals", value=repr(raw)
        )
    return int(value)


@cache
def _months() -> dict[str, int]:
    """Month names and abbreviations of both locales, lower case without dots: ``des`` → 12."""
    out: dict[str, int] = {}
    for lang in LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=lang).items():
                out[name.lower().rstrip(".")] = number
    return out


def _displayed_date(text: str) -> dt.date:
    """``6 Des 2026`` (id) or ``Dec 6, 2026`` (en), as :meth:`Formatter.date` shows dates."""
    words = re.findall(r"[^\W\d_]+", text)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if len(words) != 1 or len(numbers) != 2:
        raise ValueError(text)
    day, year = numbers if numbers[1] > 31 else (numbers[1], numbers[0])
    return dt.date(year, _months()[words[0].lower()], day)


def parse_date(raw: Any, lang: str) -> dt.date:
    """A date as a date field sends it (``2026-12-06``), as typed (``6/12/2026``) or as displayed."""
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", text)
    try:
        if m:  # day first, as in Indonesia (and in most of the world)
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return _displayed_date(text)
    except (ValueError, KeyError):
        example = format_date(dt.date(2026, 12, 31), "medium", locale=pick(lang))
        raise translatable(
            DataError,
            "{value} is not a date",
            "write it as 2026-12-31, 31/12/2026 or {example}",
            value=repr(raw),
            example=example,
        ) from None
