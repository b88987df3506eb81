"""The fast formatter writes exactly what Babel writes, for every value a page can show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from hub.core import localeformat
from hub.core.i18n import Formatter, money

LANGS = st.sampled_from(["id", "en"])
ZONES = st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "Europe/Paris"])
numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=True),  # any Decimal, huge and tiny ones too
    st.decimals(min_value=-(10**14), max_value=10**14, places=4),
    st.integers(min_value=-(10**18), max_value=10**18).map(Decimal),
    st.sampled_from([Decimal("-0"), Decimal("0.0005"), Decimal("-0.0005"), Decimal("2.5E+3")]),
)
moments = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1), timezones=st.none()
)


def outcome(fn: Callable[[], str]) -> str | type[BaseException]:
    """What a call writes, or the kind of error it raises (Babel refuses numbers of more
    digits than its decimal context holds; the fast path must refuse them alike)."""
    try:
        return fn()
    except ArithmeticError as e:
        return type(e)


@given(numbers, LANGS, st.one_of(st.none(), st.integers(0, 8)))
def test_numbers_as_babel_writes_them(value: Decimal, lang: str, digits: int | None) -> None:
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    assert outcome(lambda: localeformat.number(value, lang, digits)) == outcome(
        lambda: format_decimal(value, format=pattern, locale=lang)
    )


@given(st.decimals(min_value=-(10**13), max_value=10**13, places=2), LANGS, st.booleans())
def test_money_as_babel_writes_it(value: Decimal, lang: str, cents: bool) -> None:
    amount = value.quantize(Decimal("0.01") if cents else Decimal(1))
    pattern = "#,##0.00" if cents else "#,##0"
    sign = "-" if amount < 0 else ""
    assert money(value, lang, cents=cents) == (
        f"{sign}Rp {format_decimal(abs(amount), format=pattern, locale=lang)}"
    )


@given(moments, LANGS, ZONES, st.booleans())
def test_times_as_babel_writes_them(moment: dt.datetime, lang: str, zone: str, aware: bool) -> None:
    value = moment.replace(tzinfo=dt.timezone.utc) if aware else moment  # naive is UTC
    fmt = Formatter(lang, zone)
    assert fmt.datetime(value) == format_datetime(
        value, "medium", tzinfo=ZoneInfo(zone), locale=lang
    )


@given(moments, LANGS)
def test_dates_as_babel_writes_them(moment: dt.datetime, lang: str) -> None:
    fmt = Formatter(lang)
    assert fmt.date(moment.date()) == format_date(moment.date(), "medium", locale=lang)
    assert fmt.date(moment) == format_date(moment, "medium", locale=lang)


def test_what_a_reader_sees() -> None:
    """Spot values a person would check on a page."""
    at = dt.datetime(2026, 12, 7, 1, 2, 3, tzinfo=dt.timezone.utc)
    assert Formatter("id").datetime(at) == "7 Des 2026 08.02.03"
    assert Formatter("en").datetime(at) == "Dec 7, 2026, 8:02:03\u202fAM"
    assert Formatter("id").number(Decimal("1234567.125")) == "1.234.567,125"
    assert Formatter("en").number(Decimal("1234567.5"), 2) == "1,234,567.50"
    assert money(Decimal("-1234567.5"), "id", cents=True) == "-Rp 1.234.567,50"
    assert money(Decimal("391002"), "id") == "Rp 391.002"
