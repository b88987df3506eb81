"""PostgreSQL's two COPY paths (asyncpg, libpq) give the same bytes; chunking, early stop, errors, fallback;
a read's ``max_of`` maximum is the largest value among the very rows read.

The conformance suite runs the default (asyncpg) path; here the libpq path
(``copy_driver = "psycopg"``) is checked against it byte for byte, on the
conformance torture table and on a table with many rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.base import ReadRequest
from connectors.batching import Batcher
from connectors.registry import connect
from shared.errors import SourceQueryFailed
from tests.connectors.conformance import TORTURE
from tests.connectors.kits import PostgresKit

DRIVERS = ["asyncpg", "psycopg"]
ROWS = 5_000


@pytest.fixture
def kit(postgres_server: Any, pg_database: str) -> PostgresKit:
    k = PostgresKit(postgres_server, pg_database)
    names = [n for n in TORTURE if n in k.native]
    rows = [tuple([i] + [TORTURE[n][i] for n in names]) for i in (1, 2)] + [
        tuple([3] + [None] * len(names))
    ]
    k.create_table("torture", [(n, k.native[n]) for n in names], rows)
    k._run("CREATE TABLE many (id bigint PRIMARY KEY, name text, at timestamptz)")
    k._run(
        f"INSERT INTO many SELECT g, 'n' || g || E'\\t\\\\x', timestamptz '2024-01-01 00:00:00+00' "
        f"+ g * interval '1 second' FROM generate_series(1, {ROWS}) g"
    )
    return k


def _read(url: str, driver: str, request: ReadRequest) -> list[bytes]:
    with connect(url, copy_driver=driver) as conn:
        chunks = list(conn.read(request))
    for c in chunks:
        assert c.endswith(b"\n") and 0 < c.count(b"\n") <= request.batch_rows
    return chunks


@pytest.mark.parametrize(
    "request_",
    [
        ReadRequest(table="torture", batch_rows=2),
        ReadRequest(table="many", batch_rows=1),
        ReadRequest(table="many", batch_rows=777),
        ReadRequest(
            table="many",
            columns=["name", "id"],
            cursor_column="at",
            cursor_from="2024-01-01 00:30:00+00",
        ),
        ReadRequest(query="SELECT id, name FROM many WHERE id % 3 = 0", batch_rows=10_000),
    ],
    ids=["torture", "batch1", "batch777", "cursor", "query"],
)
def test_both_drivers_give_the_same_bytes(kit: PostgresKit, request_: ReadRequest) -> None:
    fast, libpq = (b"".join(_read(kit.url, d, request_)) for d in DRIVERS)
    assert fast == libpq
    assert fast.count(b"\n") > 0


@pytest.mark.parametrize("driver", DRIVERS)
def test_stopping_early_leaves_the_connector_usable(kit: PostgresKit, driver: str) -> None:
    with connect(kit.url, copy_driver=driver) as conn:
        reader = conn.read(ReadRequest(table="many", batch_rows=100))
        first = next(reader)
        reader.close()
        assert first.count(b"\n") == 100
        assert sum(c.count(b"\n") for c in conn.read(ReadRequest(table="many"))) == ROWS


@pytest.mark.parametrize("driver", DRIVERS)
def test_an_error_mid_copy_is_translated(kit: PostgresKit, driver: str) -> None:
    bad = ReadRequest(
        query=f"SELECT id, 1 / (id - {ROWS - 10}) AS x FROM many ORDER BY id", batch_rows=100
    )
    with connect(kit.url, copy_driver=driver) as conn:
        with pytest.raises(SourceQueryFailed, match="division by zero"):
            for _ in conn.read(bad):
                pass
        assert sum(c.count(b"\n") for c in conn.read(ReadRequest(table="torture"))) == 3


def test_libpq_reads_when_asyncpg_cannot_connect(
    kit: PostgresKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncpg

    async def refuse(
        *_a: Any, **_k: Any
    ) -> None:  # failure injection: a URL only libpq understands
        raise ValueError("unsupported connection option")

    want = b"".join(_read(kit.url, "psycopg", ReadRequest(table="many")))
    monkeypatch.setattr(asyncpg, "connect", refuse)
    assert b"".join(_read(kit.url, "asyncpg", ReadRequest(table="many"))) == want


def _field_max(lines: bytes, index: int, order: Any = bytes) -> bytes | None:
    """The largest field ``index`` of COPY ``lines``, compared as ``order`` (bytes: ISO times)."""
    values = [line.split(b"\t")[index] for line in lines.splitlines()]
    present = [v for v in values if v != b"\\N"]
    return max(present, key=order) if present else None


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(
    ("request_", "index", "order"),
    [
        (
            ReadRequest(table="many", columns=["id", "name", "at"], max_of="at", batch_rows=700),
            2,
            bytes,
        ),
        (ReadRequest(table="many", columns=["at", "id"], max_of="id"), 1, int),
        (ReadRequest(query="SELECT id, at FROM many WHERE id < 100", max_of="at"), 1, bytes),
    ],
    ids=["timestamptz", "integer", "query"],
)
def test_max_of_is_the_largest_value_read(
    kit: PostgresKit, driver: str, request_: ReadRequest, index: int, order: Any
) -> None:
    with connect(kit.url, copy_driver=driver) as conn:
        lines = b"".join(conn.read(request_))
        assert conn.read_max is not None and conn.read_max.encode() == _field_max(
            lines, index, order
        )
        b"".join(conn.read(ReadRequest(table="many")))  # a read without max_of forgets it
        assert conn.read_max is None


@pytest.mark.parametrize("driver", DRIVERS)
def test_max_of_no_rows_or_only_nulls_is_none(kit: PostgresKit, driver: str) -> None:
    with connect(kit.url, copy_driver=driver) as conn:
        assert (
            b"".join(
                conn.read(ReadRequest(query="SELECT id, at FROM many WHERE id < 0", max_of="at"))
            )
            == b""
        )
        assert conn.read_max is None
        lines = b"".join(
            conn.read(
                ReadRequest(
                    query="SELECT id, NULL::timestamptz AS at FROM many WHERE id < 4", max_of="at"
                )
            )
        )
        assert lines.count(b"\n") == 3 and conn.read_max is None


@pytest.mark.parametrize("driver", DRIVERS)
def test_max_of_ignores_rows_committed_during_the_read(kit: PostgresKit, driver: str) -> None:
    """The maximum comes from the COPY's snapshot: a newer row committed mid-read is in neither."""
    import psycopg

    request = ReadRequest(table="many", columns=["id", "at"], max_of="at", batch_rows=50)
    with (
        connect(kit.url, copy_driver=driver) as conn,
        psycopg.connect(kit.dsn, autocommit=True) as other,
    ):
        reader = conn.read(request)
        lines = [
            next(reader)
        ]  # the COPY has started (its snapshot is taken); most rows are still to come
        other.execute(
            "INSERT INTO many VALUES (%s, 'late', timestamptz '2099-01-01 00:00:00+00')",
            (ROWS + 1,),
        )
        lines += list(reader)
    read = b"".join(lines)
    assert read.count(b"\n") == ROWS and b"\t2099-01-01" not in read
    assert conn.read_max is not None and conn.read_max.encode() == _field_max(read, 1)


@given(
    st.lists(
        st.lists(
            st.binary(max_size=6).map(lambda b: b.replace(b"\n", b"") + b"\n"),
            min_size=1,
            max_size=12,
        ),
        max_size=20,
    ),
    st.integers(min_value=1, max_value=8),
)
def test_batcher_keeps_lines_whole_and_bounded(pieces: list[list[bytes]], batch: int) -> None:
    out: list[bytes] = []
    b = Batcher(batch, lambda chunk: out.append(chunk) is None)
    for piece in pieces:
        assert b.add(b"".join(piece))
    assert b.flush()
    assert b"".join(out) == b"".join(b"".join(p) for p in pieces)
    assert all(c.endswith(b"\n") and 0 < c.count(b"\n") <= batch for c in out)
