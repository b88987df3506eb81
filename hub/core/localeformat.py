"""Numbers, dates and times exactly as Babel writes them in the hub's locales, without Babel's
cost per value.

Babel parses the locale and the pattern again on every call (30–50 µs a value on this VM),
and a list page shows a few hundred values: formatting was most of what a 50-row back-office
page cost. Here each locale's symbols and patterns are read from Babel once; a number is
then grouped with Python's own exact ``Decimal`` formatting, a date is formatted once per
day, a time from the locale's pattern. Anything outside what this fast path knows (a huge
number, a pattern field it does not handle) goes to Babel itself, so the text never differs:
``tests/hub/core/test_localeformat.py`` compares both on generated values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from babel.dates import tokenize_pattern as date_tokens
from babel.numbers import (
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
    parse_pattern,
)

BIGGEST = 15  # digits before the point the fast path handles (Babel's own context: 28)
TIME_FIELDS = {"H", "h", "m", "s", "a"}


@dataclass(frozen=True)
class NumberStyle:
    """What one locale needs to group a number: its symbols, and whether its default pattern
    is the plain ``#,##0.###`` (groups of three, up to three decimals) this module writes."""

    group: str
    point: str
    minus: str
    plain: bool


@cache
def number_style(lang: str) -> NumberStyle:
    locale = Locale.parse(lang)
    default = parse_pattern(locale.decimal_formats[None])
    plain = (
        default.grouping == (3, 3)
        and default.frac_prec == (0, 3)
        and default.prefix == ("", "-")
        and default.suffix == ("", "")
        and not default.exp_prec
        and default.scale == 0
    )
    return NumberStyle(
        get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale), plain
    )


def number(value: Decimal, lang: str, digits: int | None = None) -> str:
    """``format_decimal(value, locale=lang)`` (up to three decimals, trailing zeros dropped) or,
    with ``digits``, ``format_decimal(value, "#,##0.00…", locale=lang)``: rounded half to even."""
    style = number_style(lang)
    if not style.plain or not value.is_finite() or value.adjusted() >= BIGGEST or (digits or 0) > 6:
        fmt = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=fmt, locale=lang)
    places = 3 if digits is None else digits
    rounded = abs(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{rounded:,.{places}f}"
    if digits is None and places:
        text = text.rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    out = whole.replace(",", style.group) + (style.point + frac if frac else "")
    return style.minus + out if value.is_signed() else out


@dataclass(frozen=True)
class TimeStyle:
    """A locale's medium date-and-time layout: ``{1}`` the date, ``{0}`` the time, and the
    time's pattern as tokens (``None`` when it has a field this module does not write)."""

    layout: str
    tokens: tuple[tuple[str, Any], ...] | None
    periods: tuple[str, str]  # AM, PM as the locale writes them


@cache
def time_style(lang: str) -> TimeStyle:
    locale = Locale.parse(lang)
    tokens = tuple(date_tokens(locale.time_formats["medium"].pattern))
    known = all(kind == "chars" or value[0] in TIME_FIELDS for kind, value in tokens)
    am, pm = (format_time(dt.time(h), "a", locale=locale) for h in (1, 13))
    layout = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return TimeStyle(layout, tokens if known else None, (am, pm))


@lru_cache(maxsize=4096)
def date(value: dt.date, lang: str) -> str:
    """``format_date(value, "medium", locale=lang)``, once per day and language."""
    return format_date(value, "medium", locale=lang)


def _time(local: dt.datetime, style: TimeStyle) -> str:
    parts = []
    for kind, value in style.tokens or ():
        if kind == "chars":
            parts.append(value)
            continue
        field, width = value
        if field == "a":
            parts.append(style.periods[local.hour >= 12])
            continue
        n = {"H": local.hour, "h": local.hour % 12 or 12, "m": local.minute, "s": local.second}
        parts.append(str(n[field]).zfill(width))
    return "".join(parts)


def datetime(value: dt.datetime, lang: str, tz: dt.tzinfo) -> str:
    """``format_datetime(value, "medium", tzinfo=tz, locale=lang)``: a naive time is UTC."""
    style = time_style(lang)
    if style.tokens is None:
        return format_datetime(value, "medium", tzinfo=tz, locale=lang)
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
    local = aware.astimezone(tz)
    return style.layout.replace("{0}", _time(local, style)).replace("{1}", date(local.date(), lang))
