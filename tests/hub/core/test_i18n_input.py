"""One parser for what people type: numbers and dates as the UI shows them, in id and en."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.core.i18n import Formatter, parse_date, parse_decimal, parse_int
from shared.errors import DataError

amounts = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@pytest.mark.parametrize(
    ("typed", "lang", "value"),
    [
        ("1.446.476,00", "id", Decimal("1446476.00")),
        ("391.002", "id", Decimal("391002")),
        ("Rp 1.234.567", "id", Decimal("1234567")),
        ("12,5", "id", Decimal("12.5")),
        ("12.50", "id", Decimal("12.50")),  # a machine number pasted into the Indonesian UI
        ("1446476.00", "id", Decimal("1446476.00")),
        ("1,446,476.00", "en", Decimal("1446476.00")),
        ("391,002", "en", Decimal("391002")),
        ("391.002", "en", Decimal("391.002")),
        ("-5", "en", Decimal("-5")),
        (" 7 ", "id", Decimal("7")),
    ],
)
def test_numbers_as_displayed(typed: str, lang: str, value: Decimal) -> None:
    assert parse_decimal(typed, lang) == value


@pytest.mark.parametrize("typed", ["", "abc", "1.2.3,4,5", "1..2", "1.23.456", "12,,5", "1e5"])
def test_not_numbers_say_so_in_the_readers_language(typed: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_decimal(typed, "id")
    shown = Formatter("id").error(caught.value)
    assert "bukan angka" in shown and "1.446.476,50" in shown
    assert "is not a number" in Formatter("en").error(caught.value)


@given(amounts, st.sampled_from(["id", "en"]))
def test_every_displayed_amount_reads_back(value: Decimal, lang: str) -> None:
    fmt = Formatter(lang)
    assert parse_decimal(fmt.number(value, 2), lang) == value
    assert parse_decimal(fmt.number(value.quantize(Decimal(1)), 0), lang) == value.quantize(
        Decimal(1)
    )
    assert parse_decimal(fmt.money(value), lang) == value.quantize(Decimal(1))


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["id", "en"]))
def test_whole_numbers(value: int, lang: str) -> None:
    assert parse_int(Formatter(lang).number(value), lang) == value
    assert parse_int(str(value), lang) == value


def test_decimals_are_not_whole_numbers() -> None:
    with pytest.raises(DataError, match="not a whole number"):
        parse_int("2,5", "id")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_dates_as_displayed_or_typed(day: dt.date) -> None:
    for lang in ("id", "en"):
        assert parse_date(Formatter(lang).date(day), lang) == day
        assert parse_date(day.isoformat(), lang) == day
        assert parse_date(f"{day.day}/{day.month}/{day.year}", lang) == day


@pytest.mark.parametrize("typed", ["", "31/02/2026", "2026-13-01", "tomorrow", "12 Foo 2026"])
def test_not_dates(typed: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_date(typed, "id")
    assert "bukan tanggal" in Formatter("id").error(caught.value)
