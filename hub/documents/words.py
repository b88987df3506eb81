"""Amounts in words, as an Indonesian receipt (kuitansi) states them: ``Terbilang: ...``.

Whole rupiah only (cents are not written out on a kuitansi); up to the trillions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_ID_UNITS = [
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
]
_EN_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = (
    (10**12, "triliun", "trillion"),
    (10**9, "miliar", "billion"),
    (10**6, "juta", "million"),
)
LIMIT = 10**15


def _id(n: int) -> str:
    if n < 12:
        return _ID_UNITS[n]
    if n < 20:
        return f"{_ID_UNITS[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_ID_UNITS[tens]} puluh" + (f" {_ID_UNITS[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else f"{_ID_UNITS[hundreds]} ratus"
        return head + (f" {_id(rest)}" if rest else "")
    for scale, word, _ in _SCALES:
        if n >= scale:
            big, rest = divmod(n, scale)
            return f"{_id(big)} {word}" + (f" {_id(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = "seribu" if thousands == 1 else f"{_id(thousands)} ribu"
    return head + (f" {_id(rest)}" if rest else "")


def _en(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_UNITS[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_UNITS[hundreds]} hundred" + (f" {_en(rest)}" if rest else "")
    for scale, _, word in (*_SCALES, (1000, "", "thousand")):
        if n >= scale:
            big, rest = divmod(n, scale)
            return f"{_en(big)} {word}" + (f" {_en(rest)}" if rest else "")
    raise AssertionError(n)  # pragma: no cover - every n >= 1000 has a scale


def amount_in_words(amount: Decimal, lang: str = "id") -> str:
    """``1250000`` → ``satu juta dua ratus lima puluh ribu rupiah`` (id) / ``... rupiah`` (en).

    Rounded to whole rupiah; a negative or too large amount is refused (a receipt never shows one).
    """
    whole = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole < 0 or whole >= LIMIT:
        raise ValueError(f"amount {amount} is out of range for words (0 to {LIMIT - 1})")
    text = _id(whole) if lang == "id" else _en(whole)
    return f"{text} rupiah"
