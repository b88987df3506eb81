"""Where a first load's merge time goes on PostgreSQL, and how low it can go (prints, never asserts).

    python bench/first_load_floor.py [--rows 1000000] [--repeat 2]

Issue 3 asks for a full 1M-row snapshot end to end in < 5 s; into an empty hub
(`bench_end_to_end.py`, "initial load") this is missed, and nearly all of the
miss is the merge's one ``INSERT`` of every row into ``record_versions``. This
runs the hub's real first load (:func:`hub.merge.merge_snapshot`, same rows as
``bench_merge.py``) again and again, each time in a transaction that is rolled
back, with less and less of the table's cost left in place — dropped inside
that transaction, so nothing changes for good:

* as shipped (heap, primary key, the current versions' unique index);
* without the unique index (as if a first load built it afterwards);
* without any index (primary key dropped too);
* without any index and without WAL (an ``UNLOGGED`` table: durability given up).

The last of those is the floor of this design's insert on this machine: the rows'
values JSON, their sort by key and the heap write, nothing else. Issue 23's
proposal is measured the same way:

* split layout: the first load goes to a current-state table keyed by
  (reseller, dataset, key) — no surrogate id and its primary key, no partial
  index; history would take a version only when it is superseded — emulated by
  re-keying ``record_versions`` inside the rolled-back transaction (the merge's
  statements stay exactly the shipped ones);
* the same, without WAL.

Each round also times the anchor on the same server: ``COPY`` of the same
lines into a table with the same primary key (the load side of
``pg_dump | psql``), and prints every merge as a multiple of it. Add the
agent's side (``bench_end_to_end.py`` prints it, and its ratio alone) to see
whether any schema could bring the first load under #23's 1.5x here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import header, load_note, statement_log
from bench.bench_merge import hub_store, key_chunks, snapshot, table_chunks
from hub.merge import merge_snapshot, rowsql
from shared.snapshot_reader import SnapshotReader

UTC = dt.timezone.utc

# issue 23's current-state table: the key is the primary key, no surrogate id, no partial indexes
SPLIT = [
    "DROP INDEX uq_record_versions_current",
    "DROP INDEX ix_record_versions_closed",
    "ALTER TABLE record_versions DROP CONSTRAINT pk_record_versions",
    "ALTER TABLE record_versions DROP COLUMN id",
    "ALTER TABLE record_versions ADD PRIMARY KEY (reseller_id, dataset, row_key)",
]

LINE_VALUES = "-- values as the line"  # not SQL: the merge's values expression is swapped (below)

# what each variant removes before the merge, inside the transaction that is rolled back
VARIANTS: list[tuple[str, list[str]]] = [
    ("as shipped: heap + primary key + current-versions index", []),
    ("without the current-versions unique index", ["DROP INDEX uq_record_versions_current"]),
    (
        "without any index",
        [
            "DROP INDEX uq_record_versions_current",
            "ALTER TABLE record_versions DROP CONSTRAINT pk_record_versions",
        ],
    ),
    (
        "without any index and without WAL (UNLOGGED)",
        [
            "DROP INDEX uq_record_versions_current",
            "ALTER TABLE record_versions DROP CONSTRAINT pk_record_versions",
            "ALTER TABLE record_versions SET UNLOGGED",
        ],
    ),
    ("split layout: current rows keyed (reseller, dataset, key)", SPLIT),
    ("split layout, without WAL (UNLOGGED)", [*SPLIT, "ALTER TABLE record_versions SET UNLOGGED"]),
    ("split layout, values kept as the tab-joined line (no JSON)", [*SPLIT, LINE_VALUES]),
]


def first_load(
    factory: Any, engine: Any, reader: SnapshotReader, before: list[str]
) -> tuple[float, float]:
    """(seconds of the versions INSERT, seconds of the whole merge), rolled back afterwards."""
    shipped = rowsql.fast_values_sql
    if LINE_VALUES in before:  # a format that stores the received fields as one text: no JSON built
        rowsql.fast_values_sql = lambda s, ds, st: (  # type: ignore[assignment]
            "concat_ws(E'\\t', " + ", ".join(f"c{i}" for i in range(len(ds.columns))) + ")"
        )
    try:
        with statement_log(engine, True) as log, factory() as session:
            for ddl in before:
                if ddl != LINE_VALUES:
                    session.execute(text(ddl))
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
    finally:
        rowsql.fast_values_sql = shipped
    insert = sum(s for s, sql in log if sql.startswith("INSERT INTO record_versions"))
    with (
        engine.connect() as con
    ):  # the rolled-back rows are dead tuples: clear them for the next run
        con.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM record_versions"
        )
    return insert, took


def direct_copy(factory: Any, reader: SnapshotReader) -> float:
    """A first load with no stage and no INSERT: COPY straight into a durable table of the
    received fields (key line and row hash generated on load, as the stage does today),
    its primary key on the key line built afterwards; rolled back. Seconds."""
    from hub.merge import dialect
    from hub.merge.schema import compare

    ds = reader.manifest.datasets[0]
    with factory() as session:
        dialect.tune(session)
        state = compare(None, ds.columns, ds.key, reseller_id="bench", dataset=ds.name).state
        sig = rowsql.signature(rowsql.values_sql(session, ds, state))
        cols = dialect._stage_columns(
            session,
            len(ds.columns),
            rowsql.key_sql(session, ds),
            rowsql.hash_sql(len(ds.columns), sig),
        )
        t = time.perf_counter()
        session.execute(text(f"CREATE TABLE direct_current ({cols})"))
        dialect.load(
            session, "direct_current", len(ds.columns), reader.iter_chunks(ds.name), "bench"
        )
        session.execute(text("ALTER TABLE direct_current ADD PRIMARY KEY (k)"))
        took = time.perf_counter() - t
        session.rollback()
    return took


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
        print(
            f"  {'first load of ' + format(rows, ',') + ' rows':<60} {'INSERT':>8} {'merge':>8}  merge/anchor"
        )
        for _ in range(repeat):
            base = anchor(dsn, chunks)
            print(
                f"  {'anchor: COPY into a keyed table (psql of pg_dump | psql)':<60} {'':>8} {base:7.2f}s"
            )
            for label, before in VARIANTS:
                insert, took = first_load(factory, engine, reader, before)
                print(f"  {label:<60} {insert:7.2f}s {took:7.2f}s  {took / base:5.2f}x", flush=True)
            took = direct_copy(factory, reader)
            label = "no stage: COPY into a keyed table of the fields (key, hash generated)"
            print(f"  {label:<60} {'':>8} {took:7.2f}s  {took / base:5.2f}x", flush=True)
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
        "first load: the versions INSERT, piece by piece (hub.merge on PostgreSQL)", rows=args.rows
    )
    from tests.servers import PostgresServer

    server = PostgresServer().start()
    try:
        run(server.create_database("bench"), args.rows, args.repeat)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
