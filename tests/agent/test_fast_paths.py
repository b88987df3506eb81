"""The export's fast paths give exactly what the slow ones did.

* ``key_projector`` cuts key lines out of data lines: same bytes as COPY lines
  of the key columns alone, whatever the chunking.
* ``column_max`` (the cursor's maximum in a full read) equals decoding every
  value and taking the largest.
* ``connectors.sql.prefetch`` (a reading thread a few pages ahead) yields the
  source's items in order, raises its errors, and closes it when the reader
  stops early.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.transform import column_max, key_projector
from connectors.sql import prefetch
from shared.copytext import format_line
from shared.types import PortableType, encode_value

NAMES = ["a", "b", "c", "d"]
values = st.one_of(st.none(), st.text(alphabet=st.sampled_from("x\t\n\\é\r 1"), max_size=6))


@st.composite
def shaped_rows(draw: st.DrawFn) -> tuple[list[str], list[str], list[list[str | None]]]:
    """Column names (1-4: the two-field key-and-cursor read, wide rows), a key among them, rows."""
    names = NAMES[: draw(st.integers(min_value=1, max_value=len(NAMES)))]
    key = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    width = len(names)
    rows = draw(st.lists(st.lists(values, min_size=width, max_size=width), max_size=30))
    return names, key, rows


@settings(max_examples=300, deadline=None)
@given(shaped=shaped_rows(), cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8))
def test_key_lines_cut_from_data_lines_equal_the_key_columns_read_alone(
    shaped: tuple[list[str], list[str], list[list[str | None]]], cuts: list[int]
) -> None:
    names, key, rows = shaped
    data = "".join(format_line(r) for r in rows).encode()
    want = "".join(format_line([r[names.index(k)] for k in key]) for r in rows).encode()
    project = key_projector(names, key)
    assert project is not None
    bounds = sorted({c % (len(data) + 1) for c in cuts})
    pieces = [data[i:j] for i, j in zip([0, *bounds], [*bounds, len(data)])]
    assert b"".join(project(p) for p in pieces) == want


def test_lines_of_another_width_are_refused_not_cut_wrong() -> None:
    project = key_projector(["a", "b"], ["b"])
    assert project is not None
    with pytest.raises(ValueError, match="lines of 2 fields expected, got 3"):
        project(b"1\tx\n2\n")


def test_no_projection_when_a_key_column_is_not_exported() -> None:
    assert key_projector(["a", "b"], ["a", "z"]) is None


def test_prefetch_keeps_order_and_raises_the_source_error() -> None:
    def source() -> Iterator[int]:
        yield from range(50)
        raise ValueError("page 51 failed")

    got: list[int] = []
    with pytest.raises(ValueError, match="page 51"):
        for item in prefetch(source(), depth=2):
            got.append(item)
    assert got == list(range(50))


def test_prefetch_closes_the_source_in_its_thread_when_the_reader_stops() -> None:
    closed: list[str] = []

    def source() -> Iterator[int]:
        try:
            yield from range(1_000)
        finally:
            closed.append(threading.current_thread().name)

    reader = prefetch(source(), depth=2)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()  # joins the thread: the source is closed by now
    assert closed == ["prefetch"]


instants = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
)
CURSORS = {
    PortableType.INTEGER: st.integers(min_value=-(2**63), max_value=2**63 - 1),
    PortableType.DECIMAL: st.decimals(
        allow_nan=False, allow_infinity=False, places=3, max_value=10**9, min_value=-(10**9)
    ),
    PortableType.DATE: st.dates(),
    PortableType.TIMESTAMP: instants,
    PortableType.TIMESTAMPTZ: instants.map(lambda v: v.replace(tzinfo=dt.timezone.utc)),
}


# whole seconds only: every text of a type has the same shape (column_max's template fast path)
WHOLE_SECONDS = {
    PortableType.TIMESTAMP: instants.map(lambda v: v.replace(microsecond=0)),
    PortableType.TIMESTAMPTZ: instants.map(
        lambda v: v.replace(microsecond=0, tzinfo=dt.timezone.utc)
    ),
}


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    ptype=st.sampled_from(sorted(CURSORS, key=lambda t: t.value)),
    index=st.integers(0, 2),
    same_shape=st.booleans(),
)
def test_column_max_is_the_largest_decoded_value(
    data: st.DataObject, ptype: PortableType, index: int, same_shape: bool
) -> None:
    cursors = WHOLE_SECONDS.get(ptype, CURSORS[ptype]) if same_shape else CURSORS[ptype]
    values = data.draw(st.lists(st.one_of(st.none(), cursors), min_size=1, max_size=40))
    texts = [encode_value(ptype, v) if v is not None else None for v in values]
    lines: list[list[str | None]] = [["x\\ty", "1", "z"] for _ in texts]
    for line, text in zip(lines, texts):
        line[index] = text
    chunk = "".join(format_line(line) for line in lines).encode()
    present: list[Any] = [v for v in values if v is not None]
    assert column_max(chunk, index, ptype) == (max(present) if present else None)
