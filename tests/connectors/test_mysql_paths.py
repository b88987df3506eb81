"""MySQL/MariaDB: the paged read (table with a one-column key) and the row read (query) agree byte for
byte, invalid dates/times become NULL + a warning on both, and text that looks like a marker stays text."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.base import ReadRequest, ReadWarnings
from connectors.mysql import unmark
from connectors.registry import connect
from shared.copytext import escape
from shared.types import Column
from shared.types import PortableType as P
from tests.connectors.kits import MysqlKit

TEXTS = ["\\zz", "C:\\zip\\old", "\\zi", "\\zt", "a\tb", "\\", "plain", "\\N"]
WARNINGS = {
    "d: zero date read as NULL": 1,
    "d: invalid date read as NULL": 1,
    "dt: zero date read as NULL": 1,
    "dt: invalid date read as NULL": 1,
    "t: time outside 00:00-24:00 read as NULL": 2,
}


@pytest.fixture
def kit(mariadb_server: Any, mariadb_database: str) -> MysqlKit:
    k = MysqlKit(mariadb_server, mariadb_database)
    k._run(
        "CREATE TABLE odd (id int PRIMARY KEY, txt varchar(40), d date, dt datetime, t time, dt3 datetime(3))"
    )
    rows = [
        (1, TEXTS[0], "0000-00-00", "0000-00-00 00:00:00", "-01:00:00", "2024-01-01 00:00:00.500"),
        (2, TEXTS[1], "2024-02-30", "2024-02-30 10:00:00", "25:00:00", None),
        (3, TEXTS[2], "2024-02-29", "2024-02-29 23:59:59", "12:30:00", "2024-01-01 00:00:00"),
    ]
    rows += [
        (i, text, None, "2024-03-01 00:00:00", None, None)
        for i, text in enumerate(TEXTS[3:], start=4)
    ]
    k._run("INSERT INTO odd VALUES (%s, %s, %s, %s, %s, %s)", rows, mode="ALLOW_INVALID_DATES")
    return k


def _read(url: str, request: ReadRequest) -> tuple[bytes, dict[str, int]]:
    with connect(url) as conn:
        data = b"".join(conn.read(request))
        return data, dict(conn.warnings.counts)


def test_paged_and_row_reads_agree(kit: MysqlKit) -> None:
    paged, paged_warnings = _read(kit.url, ReadRequest(table="odd", batch_rows=2))
    rows, row_warnings = _read(kit.url, ReadRequest(query="SELECT * FROM odd", batch_rows=2))
    assert sorted(paged.splitlines()) == sorted(rows.splitlines())
    assert paged_warnings == row_warnings == WARNINGS
    lines = {int(line.split(b"\t")[0]): line.split(b"\t") for line in paged.splitlines()}
    assert lines[1][2:5] == [b"\\N", b"\\N", b"\\N"] and lines[2][2:5] == [b"\\N", b"\\N", b"\\N"]
    assert lines[3][2:6] == [
        b"2024-02-29",
        b"2024-02-29 23:59:59",
        b"12:30:00",
        b"2024-01-01 00:00:00",
    ]
    assert lines[1][5] == b"2024-01-01 00:00:00.5"
    texts = [lines[i][1] for i in sorted(lines)]
    assert texts == [escape(t).encode() for t in TEXTS]  # marker-like text is text, escaped


COLS = [Column("a", P.TEXT), Column("d", P.DATE), Column("t", P.TIME)]
MARKS = {
    "z": ("d", "zero date read as NULL"),
    "i": ("d", "invalid date read as NULL"),
    "t": ("t", "time outside 00:00-24:00 read as NULL"),
}


@given(
    st.lists(
        st.tuples(
            st.text(max_size=6),
            st.sampled_from(["2024-01-02", "\\zz", "\\zi", None]),
            st.sampled_from(["10:00:00", "\\zt", None]),
        ),
        max_size=12,
    )
)
def test_unmark_clears_markers_and_counts_them(rows: list[tuple[str, Any, Any]]) -> None:
    def line(a: str, d: Any, t: Any, marked: bool) -> str:
        d = None if not marked and d in ("\\zz", "\\zi") else d
        t = None if not marked and t == "\\zt" else t
        return "\t".join([escape(a), "\\N" if d is None else d, "\\N" if t is None else t]) + "\n"

    warnings = ReadWarnings()
    out = unmark("".join(line(*r, marked=True) for r in rows).encode(), COLS, warnings)
    assert out == "".join(line(*r, marked=False) for r in rows).encode()
    want: dict[str, int] = {}
    for v in [x for _, d, t in rows for x in (d, t) if x in ("\\zz", "\\zi", "\\zt")]:
        key = "{}: {}".format(*MARKS[v[2]])
        want[key] = want.get(key, 0) + 1
    assert warnings.counts == want


CHARSET_TEXTS = ["café", "Rp 1.500 — naïve", "a\tb\\c", "plain"]
EMOJI = "kabel 🔌 HDMI"  # outside latin1 and utf8mb3: utf8mb4 only


def test_text_of_every_character_set_arrives_as_utf8(kit: MysqlKit) -> None:
    """A utf8mb4 / utf8mb3 / ascii column's bytes are sent as stored, a latin1 one converted: same text."""
    kit._run(
        "CREATE TABLE sets (id int PRIMARY KEY, u4 varchar(40) CHARACTER SET utf8mb4, "
        "u3 varchar(40) CHARACTER SET utf8mb3, l1 varchar(40) CHARACTER SET latin1, "
        "a varchar(40) CHARACTER SET ascii)"
    )
    rows = [(i, t, t, t, "ascii only") for i, t in enumerate(CHARSET_TEXTS, start=1)]
    rows.append((len(rows) + 1, EMOJI, "x", "x", "x"))
    kit._run("INSERT INTO sets VALUES (%s, %s, %s, %s, %s)", rows)
    paged, _ = _read(kit.url, ReadRequest(table="sets", batch_rows=2))
    queried, _ = _read(
        kit.url, ReadRequest(query="SELECT * FROM sets")
    )  # no character sets known: converted
    assert sorted(paged.splitlines()) == sorted(queried.splitlines())
    want = [
        f"{i}\t{escape(t)}\t{escape(t)}\t{escape(t)}\tascii only"
        for i, t in enumerate(CHARSET_TEXTS, start=1)
    ]
    want.append(f"{len(want) + 1}\t{EMOJI}\tx\tx\tx")
    assert paged.decode("utf-8").splitlines() == want
