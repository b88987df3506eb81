"""Every portable type survives value -> canonical text -> COPY line -> value."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.copytext import NULL, escape, format_line, parse_line, unescape
from shared.types import PortableType as T
from shared.types import decode_value, encode_value

UTC = dt.timezone.utc
ZONES = st.sampled_from(
    [UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-11))]
)
TRICKY_TEXT = st.sampled_from(
    [
        "",
        "\\",
        "\\N",
        "N",
        "a\tb",
        "line\nbreak",
        "cr\rlf",
        "\\x41",
        "\\101",
        "😀🇫🇷",
        "𝔘𝔫𝔦",
        "\b\f\v",
        "é\u0301",
    ]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# A Python str given as json is taken as JSON text already (the source's own spelling).
JSON_VALUE = (
    st.lists(JSON, max_size=4)
    | st.dictionaries(st.text(max_size=8), JSON, max_size=4)
    | JSON.map(lambda v: json.dumps(v, indent=1, ensure_ascii=True))
)
DEC38 = st.builds(
    lambda n, s: Decimal(n).scaleb(-s), st.integers(-(10**38) + 1, 10**38 - 1), st.integers(0, 38)
)

VALUES: dict[T, st.SearchStrategy[Any]] = {
    T.BOOLEAN: st.booleans(),
    T.INTEGER: st.integers(-(2**63), 2**63 - 1),
    T.DECIMAL: DEC38 | st.decimals(allow_nan=False, allow_infinity=False),
    T.FLOAT: st.floats(),
    T.TEXT: st.text() | TRICKY_TEXT,
    T.BINARY: st.binary(),
    T.DATE: st.dates(),
    T.TIME: st.times(),
    T.TIMESTAMP: st.datetimes(),
    T.TIMESTAMPTZ: st.datetimes(
        min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 1, 1), timezones=ZONES
    ),
    T.JSON: JSON_VALUE,
}


def same(ptype: T, a: Any, b: Any) -> bool:
    if ptype is T.FLOAT and isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if ptype is T.JSON and isinstance(a, str):
        return bool(json.loads(a) == b)
    if ptype is T.TIMESTAMPTZ:
        return a == b and b.utcoffset() == dt.timedelta(0)
    return bool(a == b) and type(a) is type(b) or (ptype is T.DECIMAL and a == b)


@st.composite
def rows(draw: st.DrawFn) -> list[tuple[T, Any]]:
    types = draw(st.lists(st.sampled_from(list(T)), min_size=1, max_size=8))
    return [(t, draw(st.none() | VALUES[t])) for t in types]


@settings(max_examples=200)
@given(rows())
def test_row_round_trip_through_copy_line(row: list[tuple[T, Any]]) -> None:
    line = format_line([encode_value(t, v) for t, v in row])
    assert line.endswith("\n") and line.count("\n") == 1, "a row must be exactly one line"
    assert line.count("\t") == len(row) - 1
    back = [decode_value(t, f) for (t, _), f in zip(row, parse_line(line))]
    for (t, v), b in zip(row, back):
        assert (v is None and b is None) or same(t, v, b), (t, v, b)


@given(st.sampled_from(list(T)), st.data())
def test_canonical_text_is_a_fixed_point(ptype: T, data: st.DataObject) -> None:
    text = encode_value(ptype, data.draw(VALUES[ptype]))
    assert encode_value(ptype, decode_value(ptype, text)) == text or ptype is T.JSON


def test_null_is_not_empty_string() -> None:
    assert format_line([None, ""]) == "\\N\t\n"
    assert parse_line("\\N\t\n") == [None, ""]
    assert parse_line("\\\\N\n") == ["\\N"]


def test_timestamp_policies() -> None:
    naive = dt.datetime(2024, 3, 3, 14, 5, 6, 120000)
    assert encode_value(T.TIMESTAMP, naive) == "2024-03-03 14:05:06.12"
    aware = dt.datetime(2024, 3, 3, 14, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert encode_value(T.TIMESTAMPTZ, aware) == "2024-03-03 12:05:06+00"
    assert decode_value(T.TIMESTAMPTZ, "2024-03-03 12:05:06+00") == aware


@given(st.text())
def test_escape_unescape(text: str) -> None:
    esc = escape(text)
    assert "\t" not in esc and "\n" not in esc and "\r" not in esc
    assert unescape(esc) == text
    assert esc != NULL


@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=6))
def test_format_parse_inverse(fields: list) -> None:
    assert parse_line(format_line(fields)) == fields
