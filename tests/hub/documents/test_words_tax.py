"""Amounts in words (the kuitansi's "Terbilang") and the DPP/PPN split, as properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.documents import tax
from hub.documents.words import LIMIT, amount_in_words

_ID = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000,
}  # fmt: skip
_SMALL = {"puluh": 10, "ratus": 100, "ribu": 1000}
_BIG = {"juta": 10**6, "miliar": 10**9, "triliun": 10**12}


def read_indonesian(text: str) -> int:
    """An independent reader of Indonesian number words (the inverse the test checks against)."""
    words = text.removesuffix(" rupiah").split()
    total, group, current = 0, 0, 0
    for w in words:
        if w in _ID:
            value = _ID[w]
            if value == 1000:  # seribu: one thousand, the whole thousands group
                group += 1000
            else:
                current += value
        elif w == "belas":
            current += 10
        elif w in ("puluh", "ratus"):
            last = current % 10
            current = current - last + last * _SMALL[w]
        elif w == "ribu":
            group += current * 1000
            current = 0
        elif w in _BIG:
            total += (group + current) * _BIG[w]
            group, current = 0, 0
        else:
            raise AssertionError(f"unknown word {w!r} in {text!r}")
    return total + group + current


@given(st.integers(0, LIMIT - 1))
def test_indonesian_words_read_back(n: int) -> None:
    text = amount_in_words(Decimal(n), "id")
    assert text.endswith(" rupiah") and "  " not in text
    assert read_indonesian(text) == n


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "nol rupiah"),
        (11, "sebelas rupiah"),
        (17, "tujuh belas rupiah"),
        (100, "seratus rupiah"),
        (1000, "seribu rupiah"),
        (1_250_000, "satu juta dua ratus lima puluh ribu rupiah"),
        (2_011_115, "dua juta sebelas ribu seratus lima belas rupiah"),
    ],
)
def test_indonesian_words_as_a_kuitansi_writes_them(n: int, words: str) -> None:
    assert amount_in_words(Decimal(n), "id") == words


def test_english_words_and_refusals() -> None:
    assert amount_in_words(Decimal("1250000.40"), "en") == (
        "one million two hundred fifty thousand rupiah"
    )
    assert amount_in_words(Decimal(42), "en") == "forty-two rupiah"
    with pytest.raises(ValueError):
        amount_in_words(Decimal(-1))
    with pytest.raises(ValueError):
        amount_in_words(Decimal(LIMIT))


money = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=25, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(money, min_size=1, max_size=20), rates)
def test_dpp_plus_ppn_is_the_amount_on_every_line_and_in_total(
    amounts: list[Decimal], rate: Decimal
) -> None:
    splits = [tax.split(a, rate) for a in amounts]
    for a, s in zip(amounts, splits):
        assert s.dpp + s.ppn == a and s.dpp >= 0 and s.ppn >= 0
        # the tax is the rate applied to the base, to within rounding the base to a cent
        assert abs(s.dpp * rate / 100 - s.ppn) <= Decimal("0.01") * (1 + rate / 100)
    t = tax.total(splits)
    assert t.dpp + t.ppn == t.amount == sum(amounts)


def test_no_ppn_for_a_seller_not_registered() -> None:
    assert tax.split(Decimal("111000"), Decimal(0)) == tax.TaxSplit(
        Decimal("111000.00"), Decimal("111000.00"), Decimal("0.00")
    )
    assert tax.split(Decimal("111000"), Decimal(11)).ppn == Decimal("11000.00")
