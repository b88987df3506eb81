"""The CSV quick order parser: headers, delimiters, every bad row reported at once."""

from __future__ import annotations

import pytest

from hub.orders.service import OrderInputError
from hub.orders.sources import parse_csv


def test_comma_semicolon_and_bom() -> None:
    assert [
        (ln.sku, ln.quantity) for ln in parse_csv(b"\xef\xbb\xbfsku,quantity\nA,2\n\nB,3\n")
    ] == [("A", 2), ("B", 3)]
    assert [(ln.sku, ln.quantity) for ln in parse_csv(b"Kode;Jumlah\nA;1\n")] == [("A", 1)]


@pytest.mark.parametrize(
    "data,words",
    [
        (b"", "needs the columns sku and quantity"),
        (b"x", "needs the columns sku and quantity"),
        (b"sku,quantity\nA,two\nB,1.5\n", "row 2: quantity 'two' is not a whole number\n  row 3"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (
            b'sku,quantity\n"A\rB,2\n',
            "row 2: quantity '' is not a whole number",
        ),  # unclosed quote: no 500
    ],
)
def test_refusals_name_the_problem(data: bytes, words: str) -> None:
    with pytest.raises(OrderInputError, match=words.replace("(", r"\(")):
        parse_csv(data)
