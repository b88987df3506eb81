"""Where a first load's merge time goes on PostgreSQL, against a plain keyed copy (prints, never asserts).

    python bench/first_load_floor.py [--rows 1000000] [--repeat 2]

Issue 23: a first load into an empty hub should cost about what ``pg_dump |
psql`` costs. Until 2026-12-07 every row of a first load was staged, then
written again as a wide version row of one shared table; this script's
earlier variants (recorded in bench/README.md, "2026-12-07, session 2")
showed that only a COPY straight into the table the rows live in, keyed
afterwards, reaches the anchor. That is now the shipped path
(:mod:`hub.merge.tables`). This runs the hub's real first load
(:func:`hub.merge.merge_snapshot`, same rows as ``bench_merge.py``) in a
transaction that is rolled back, split into its COPY (everything but the
SQL statements the hub sends), the build of the key, and the rest.

Each round first times the anchor on the same server: ``COPY`` of the same
lines into an empty table with the same primary key (the load side of
``pg_dump | psql``), and prints the merge as a multiple of it. Add the
agent's side (``bench_end_to_end.py`` prints it) for the whole push.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import header, load_note, statement_log
from bench.bench_merge import hub_store, key_chunks, snapshot, table_chunks
from hub.merge import merge_snapshot
from shared.snapshot_reader import SnapshotReader

UTC = dt.timezone.utc


def first_load(factory: Any, engine: Any, reader: SnapshotReader) -> tuple[float, float, float]:
    """(seconds of the whole merge, of building the key, of every other SQL statement); rolled back."""
    with statement_log(engine, True) as log, factory() as session:
        t = time.perf_counter()
        merge_snapshot(
            session,
            reseller_id="bench",
            snapshot_id=1,
            manifest=reader.manifest,
            reader=reader,
            received_at=dt.datetime.now(UTC),
        )
        took = time.perf_counter() - t
        session.rollback()
    key = sum(s for s, sql in log if "ADD PRIMARY KEY" in sql)
    return took, key, sum(s for s, _ in log) - key


def anchor(dsn: str, chunks: list[bytes]) -> float:
    """Seconds to COPY ``chunks`` into an empty table with the same primary key (psql's side of
    ``pg_dump | psql``), committed."""
    import psycopg

    with psycopg.connect(dsn) as con:
        con.execute("DROP TABLE IF EXISTS anchor_items")
        con.execute(
            "CREATE TABLE anchor_items (id integer PRIMARY KEY, name text, price numeric, stock integer)"
        )
        con.commit()
        t = time.perf_counter()
        with con.cursor() as cur, cur.copy("COPY anchor_items FROM STDIN") as cp:
            for c in chunks:
                cp.write(c)
        con.commit()
        took = time.perf_counter() - t
        con.execute("DROP TABLE anchor_items")
        con.commit()
    return took


def run(dsn: str, rows: int, repeat: int) -> None:
    engine, factory = hub_store(dsn)
    chunks = table_chunks(rows, 0)
    with tempfile.TemporaryDirectory() as tmp:
        reader = snapshot(
            Path(tmp),
            1,
            "full",
            chunks,
            dt.datetime(2024, 1, 1, tzinfo=UTC),
            key_chunks(rows),
        )
        print(f"  {'first load of ' + format(rows, ',') + ' rows':<44} {'seconds':>8}  ÷ anchor")
        for _ in range(repeat):
            base = anchor(dsn, chunks)
            took, key, other = first_load(factory, engine, reader)
            for label, seconds in (
                ("anchor: COPY into a keyed table (psql's side)", base),
                ("merge_snapshot, as shipped", took),
                ("  COPY into the new current table", took - key - other),
                ("  its primary key, built after the COPY", key),
                ("  every other statement", other),
            ):
                print(f"  {label:<44} {seconds:7.2f}s  {seconds / base:5.2f}x", flush=True)
            print(f"  ({load_note()})")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--repeat", type=int, default=2, help="rounds over the variants (the VM's speed drifts)"
    )
    args = ap.parse_args()
    header(
        "first load: the merge against a plain keyed COPY (hub.merge on PostgreSQL)", rows=args.rows
    )
    from tests.servers import PostgresServer

    server = PostgresServer().start()
    try:
        run(server.create_database("bench"), args.rows, args.repeat)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
