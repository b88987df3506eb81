"""The few places where SQLite and PostgreSQL differ for the merge, and nothing else.

Everything else in the merge is one SQL text for both. Here: creating and
bulk-loading the staging table (COPY FROM STDIN on PostgreSQL — over two
connections for a big one, :mod:`hub.merge.split_stage` — batched executemany
on SQLite), planner statistics and memory (PostgreSQL), "these two differ"
with NULL as a value, moving rows from one table to another, and the key-set
digest of the current keys (set-based on PostgreSQL, streamed on SQLite).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.merge import split_stage
from shared import keyset
from shared.copytext import parse_line
from shared.errors import DataError

BATCH = 10_000


def name(session: Session) -> str:
    return session.get_bind().dialect.name


def _driver_connection(session: Session) -> Any:
    """The DBAPI connection under ``session`` (sqlite3 or psycopg), for bulk loads."""
    conn = session.connection().connection.driver_connection
    assert conn is not None, "a live Session connection always has a driver connection"
    return conn


def distinct(session: Session, a: str, b: str) -> str:
    """SQL: ``a`` and ``b`` differ, NULL told apart from every text (SQLite's ``IS NOT``)."""
    return f"{a} IS DISTINCT FROM {b}" if name(session) == "postgresql" else f"{a} IS NOT {b}"


def move_rows(
    session: Session, source: str, target: str, *, into: str, values: str, where: str
) -> list[str]:
    """Statements moving the ``source`` rows matching ``where`` into ``target`` (``into`` ←
    ``values``, over the source's columns).

    PostgreSQL: one statement, the DELETE's RETURNING feeding the INSERT, so each
    row is found once (a 10,000-row incremental into 1M rows: ``bench/bench_merge.py``).
    SQLite allows no DELETE inside a WITH: a copy, then the delete.
    """
    if name(session) == "postgresql":
        return [
            f"WITH moved AS (DELETE FROM {source} WHERE {where} RETURNING *) "
            f"INSERT INTO {target} ({into}) SELECT {values} FROM moved"
        ]
    return [
        f"INSERT INTO {target} ({into}) SELECT {values} FROM {source} WHERE {where}",
        f"DELETE FROM {source} WHERE {where}",
    ]


SPLIT_STAGE_ROWS = 200_000  # from this many rows a PostgreSQL stage loads over two connections


def stage(
    session: Session,
    table: str,
    width: int,
    key_expr: str,
    chunks: Iterable[bytes],
    what: str,
    *,
    expected_rows: int = 0,
) -> int:
    """Create the stage ``table`` and bulk-load ``chunks`` into it; the rows loaded.

    Columns ``c0..c{width-1}`` (text) and the key line ``k`` (see :func:`create_stage`). On PostgreSQL under READ COMMITTED, a stage of
    ``expected_rows`` ≥ :data:`SPLIT_STAGE_ROWS` is loaded by two connections
    at once (:mod:`hub.merge.split_stage`); it reads the same. Drop it with
    :func:`drop_stage`.
    """
    if (
        name(session) == "postgresql"
        and expected_rows >= SPLIT_STAGE_ROWS
        and split_stage.usable(session)
    ):
        columns = _stage_columns(width, key_expr)
        return split_stage.load(
            session,
            _driver_connection(session),
            table,
            columns,
            chunks,
            lambda conn, into, part: _copy(conn, into, width, part, what),
        )
    create_stage(session, table, width, key_expr)
    return load(session, table, width, chunks, what)


def drop_stage(session: Session, table: str) -> None:
    if not split_stage.drop(session, table):
        session.execute(text(f"DROP TABLE {table}"))


def _stage_columns(width: int, key_expr: str) -> str:
    cols = [f"c{i} text" for i in range(width)]
    cols.append(f"k text GENERATED ALWAYS AS ({key_expr}) STORED")
    return ", ".join(cols)


def create_stage(session: Session, table: str, width: int, key_expr: str) -> None:
    """A temp table ``c0..c{width-1}`` (text) whose key line ``k`` derives on load.

    ``k`` is a generated column on both databases, so COPY computes it with no
    second pass.
    """
    session.execute(text(f"DROP TABLE IF EXISTS {table}"))
    session.execute(text(f"CREATE TEMP TABLE {table} ({_stage_columns(width, key_expr)})"))
    if name(session) == "sqlite":  # its joins on the stage are index look-ups
        session.execute(text(f"CREATE INDEX {table}_k ON {table} (k)"))


def tune(session: Session) -> None:
    """Memory for this transaction's hash joins and sorts (PostgreSQL; ends with the transaction).

    ``random_page_cost`` as for cached/SSD storage: a small diff then closes its
    versions by primary-key look-ups instead of scanning every version.
    """
    if name(session) == "postgresql":
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))


def refresh_stats(session: Session, table: str, expected_rows: int, columns: str) -> None:
    """ANALYZE ``table`` when its statistics lag far behind (PostgreSQL).

    A merge right after a big one (autovacuum has not run yet) would otherwise
    plan with "the table is empty" and pick nested loops over a million rows.
    """
    if name(session) != "postgresql" or expected_rows < 10_000:
        return
    est = session.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table}
    ).scalar_one()
    if est < expected_rows / 2:
        session.execute(text(f"ANALYZE {table} ({columns})"))


def analyze(session: Session, table: str, columns: str) -> None:
    """Row count and the join columns' statistics only: the other columns' cost time, not plans."""
    if name(session) == "postgresql":
        session.execute(text(f"ANALYZE {table} ({columns})"))


def load(
    session: Session,
    table: str,
    width: int,
    chunks: Iterable[bytes],
    what: str,
) -> int:
    """Bulk-load COPY-text ``chunks`` (whole lines) into ``table``'s columns ``c0..c{width-1}``.

    PostgreSQL: the bytes go to COPY as they are (no Python per row); columns
    not loaded take their defaults. SQLite: parsed and inserted in batches.
    """
    if name(session) == "postgresql":
        return _copy(_driver_connection(session), table, width, chunks, what)
    names = [f"c{i}" for i in range(width)]
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
    cur = _driver_connection(session).cursor()
    n = 0
    try:
        batch: list[list[str | None]] = []
        for row in _parse(chunks, width, what):
            batch.append(row)
            if len(batch) >= BATCH:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    finally:
        cur.close()
    return n


def _parse(chunks: Iterable[bytes], width: int, what: str) -> Iterator[list[str | None]]:
    n = 0
    for chunk in chunks:
        for line in chunk.decode("utf-8").split("\n")[:-1]:
            n += 1
            fields = parse_line(line)
            if len(fields) != width:
                raise DataError(
                    "{what}: line {line} has {count} fields, expected {width}",
                    what=what,
                    count=len(fields),
                    width=width,
                    hint="the snapshot does not match its manifest; quarantine it and re-export",
                    line=n,
                )
            yield fields


def _copy(conn: Any, table: str, width: int, chunks: Iterable[bytes], what: str) -> int:
    """COPY ``chunks`` into ``table`` over the psycopg connection ``conn``; the rows loaded."""
    import psycopg  # hub extra; imported here so SQLite-only installs need no driver

    try:
        with conn.cursor() as cur:
            cols = ", ".join(f"c{i}" for i in range(width))
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for chunk in chunks:
                    copy.write(chunk)
            n = cur.rowcount
    except psycopg.errors.DataError as e:  # bad field count, invalid escape, bad UTF-8…
        raise DataError(
            "{what}: the database refused the rows: {reason}",
            what=what,
            reason=str(e).splitlines()[0],
            hint="the snapshot does not match its manifest; quarantine it and re-export",
        ) from None
    # no ANALYZE: a never-analysed table is estimated from its pages, close enough to choose index
    # look-ups for a small stage and a hash join for a big one; sampling it cost ~0.1 s per 1M rows
    return n


def keys_sum(
    session: Session, select_keys: str, params: dict[str, object], algorithm: str
) -> tuple[int, int]:
    """(count, Σ H(key line)) of the key lines ``select_keys`` returns (one text column ``key_line``).

    SHA-256 sums on PostgreSQL hash in SQL and fetch the 32-byte digests (five
    times faster than summing 256-bit integers as ``numeric`` in SQL). XXH3-128,
    which no database offers, and SQLite stream the key lines through
    :func:`shared.keyset.sum_of` — one C call per key.
    """
    if algorithm == keyset.SHA256 and name(session) == "postgresql":
        select = f"SELECT sha256(convert_to(q.key_line, 'UTF8')) FROM ({select_keys}) q"
        encode: Any = None
    else:
        select, encode = select_keys, str.encode
    result = session.execute(text(select), params)
    n = total = 0
    while rows := result.fetchmany(50_000):
        if encode is None:
            total += sum(int.from_bytes(h, "big") for (h,) in rows)
        else:
            total += keyset.sum_of([encode(k) for (k,) in rows], algorithm)
        n += len(rows)
    return n, total


def current_keys_digest(session: Session, current_table: str, algorithm: str) -> tuple[int, str]:
    """(count, digest) of every key of a dataset's current table (see shared.keyset)."""
    n, total = keys_sum(session, f"SELECT k AS key_line FROM {current_table}", {}, algorithm)
    return n, keyset.text_of(algorithm, total)
