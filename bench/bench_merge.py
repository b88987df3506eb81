"""Merge benchmark on PostgreSQL: hub.merge (with history) vs a plain COPY + MERGE, same rows, same run.

Three steps, each timed for both (numbers are printed, never asserted):

1. initial load: a full snapshot of N rows into an empty store / empty keyed table
   (its manifest carries the key-set count and digest, as the agent's full snapshots do);
2. the same N rows with 1 % changed, as a full snapshot (target: hub <= 1.5x plain);
3. a 10k-change incremental into the N rows, carrying the full key list as the
   agent sends it, no deletes (target: hub <= 0.3 s; the hub's key-set digest
   proves "no deletes" and skips delete detection);
4. (hub only) the same with one key deleted at the source: full delete detection.

"plain" = COPY into a typed temp table, ANALYZE, ``MERGE`` into a table keyed
by id (no history). "hub" = :func:`hub.merge.merge_snapshot` in one
transaction, as the ingest calls it (staging, history, schema bookkeeping).

    python bench/bench_merge.py [--rows 1000000] [--dsn postgresql://…] [--profile]

Without --dsn a throw-away PostgreSQL is started (tests/servers.py) and
stopped by its PID at the end (also on Ctrl-C / SIGTERM). ``--profile``
prints each hub step's SQL statements with their times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import header, print_statements, statement_log
from hub.core.db import make_engine, session_factory, transaction
from hub.core.migrate import upgrade
from hub.merge import merge_snapshot
from shared.snapshot import SnapshotWriter
from shared.snapshot_reader import SnapshotReader
from shared.types import Column, PortableType

COLUMNS = [
    Column("id", PortableType.INTEGER, False),
    Column("name", PortableType.TEXT),
    Column("price", PortableType.DECIMAL),
    Column("stock", PortableType.INTEGER),
]
UTC = dt.timezone.utc
DELTA_ROWS = 10_000


def lines(ids: range, version: int, changed_every: int = 0) -> bytes:
    """COPY lines of the `items` rows ``ids``; every ``changed_every``-th row's stock moved by ``version``."""
    out = []
    for i in ids:
        bump = version if changed_every and i % changed_every == 0 else 0
        out.append(f"{i}\tproduct {i}\t{i % 1000}.{i % 100:02d}\t{(i * 7 + bump) % 500}\n")
    return "".join(out).encode()


def snapshot(
    work: Path, seq: int, kind: str, chunks: list[bytes], at: dt.datetime, keys: list[bytes]
) -> SnapshotReader:
    """A snapshot of ``chunks``; ``keys``: key lines of every key at the source.

    As the agent sends them: a full snapshot carries their count and digest, an
    incremental also the keys part.
    """
    w = SnapshotWriter(
        work / f"s{seq}", "bench", seq, kind, "bench", "postgresql", created_at=at, level=1
    )
    dw = w.dataset("items", COLUMNS, ["id"], keys_part=kind == "incremental")
    for c in chunks:
        dw.write(c)
    for k in keys:
        dw.add_keys(k)
    w.finish()
    return SnapshotReader.from_directory(work / f"s{seq}")


LAST_STATS: list[str] = []  # what the last hub merge did, printed under its step's timings


def hub_merge(engine: Any, factory: Any, reader: SnapshotReader, sid: int, profile: bool) -> float:
    with statement_log(engine, profile) as log:
        t = time.perf_counter()
        with transaction(factory) as s:
            stats = merge_snapshot(
                s,
                reseller_id="bench",
                snapshot_id=sid,
                manifest=reader.manifest,
                reader=reader,
                received_at=dt.datetime.now(UTC),
            )
        took = time.perf_counter() - t
    tot = stats.totals()
    checks = sorted({d.delete_check for d in stats.datasets.values()})
    LAST_STATS[:] = [
        f"     hub: inserted {tot.inserted:,}, updated {tot.updated:,}, deleted {tot.deleted:,}, "
        f"unchanged {tot.unchanged:,}, delete check {'/'.join(checks)}"
        + (f"; warnings: {stats.warnings}" if stats.warnings else "")
    ]
    if profile:
        print_statements(log, took)
    return took


def plain_merge(dsn: str, chunks: list[bytes]) -> float:
    """COPY + ANALYZE + MERGE into `plain` (created on first use), one transaction, like the hub's."""
    import psycopg

    with psycopg.connect(dsn) as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS plain (id integer PRIMARY KEY, name text, price numeric, stock integer)"
        )
        con.commit()
        t = time.perf_counter()
        con.execute(
            "CREATE TEMP TABLE stage (id integer, name text, price numeric, stock integer) ON COMMIT DROP"
        )
        with con.cursor() as cur, cur.copy("COPY stage FROM STDIN") as cp:
            for c in chunks:
                cp.write(c)
        con.execute("ANALYZE stage")
        con.execute(
            "MERGE INTO plain p USING stage s ON p.id = s.id "
            "WHEN MATCHED AND (p.name, p.price, p.stock) IS DISTINCT FROM (s.name, s.price, s.stock) "
            "THEN UPDATE SET name = s.name, price = s.price, stock = s.stock "
            "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name, s.price, s.stock)"
        )
        con.commit()
        return time.perf_counter() - t


def step(title: str, hub: float, plain: float, target: str) -> None:
    print(f"  {title}   (load average {os.getloadavg()[0]:.2f})")
    print(f"     plain COPY+MERGE: {plain:8.3f} s")
    print(f"     hub merge:        {hub:8.3f} s   ratio hub/plain {hub / plain:5.2f}   {target}")
    print(*LAST_STATS, sep="\n")


def hub_store(dsn: str) -> tuple[Any, Any]:
    """(engine, session factory) of a migrated hub database at ``dsn``."""
    engine = make_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    upgrade(engine)
    return engine, session_factory(engine)


CHUNK = 100_000


def table_chunks(n: int, version: int, changed_every: int = 0) -> list[bytes]:
    """The whole `items` table of ``n`` rows as COPY chunks (see :func:`lines`)."""
    return [
        lines(range(a, min(a + CHUNK, n + 1)), version, changed_every)
        for a in range(1, n + 1, CHUNK)
    ]


def key_chunks(n: int) -> list[bytes]:
    """Key lines of every row of the ``n``-row table, as the agent's key set sends them."""
    return [
        "".join(f"{i}\n" for i in range(a, min(a + CHUNK, n + 1))).encode()
        for a in range(1, n + 1, CHUNK)
    ]


def run(dsn: str, n: int, profile: bool) -> None:
    engine, factory = hub_store(dsn)
    base = table_chunks(n, 0)
    changed = table_chunks(n, 1, changed_every=100)
    stride = max(1, n // DELTA_ROWS)
    delta = [lines(range(50, n + 1, stride)[:DELTA_ROWS], 2, changed_every=1)]
    delta2 = [lines(range(51, n + 1, stride)[:DELTA_ROWS], 3, changed_every=1)]
    all_keys = key_chunks(n)
    gone = n // 2 + 7  # one key deleted at the source before step 4 (not among delta2's rows)
    fewer_keys = [k.replace(f"\n{gone}\n".encode(), b"\n") for k in all_keys]
    t0 = dt.datetime(2024, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        s1 = snapshot(work, 1, "full", base, t0, all_keys)
        s2 = snapshot(work, 2, "full", changed, t0 + dt.timedelta(days=1), all_keys)
        s3 = snapshot(work, 3, "incremental", delta, t0 + dt.timedelta(days=2), all_keys)
        s4 = snapshot(work, 4, "incremental", delta2, t0 + dt.timedelta(days=3), fewer_keys)
        print(
            f"  rows {n:,}; 1 % step changes {n // 100:,} rows; incremental {s3.manifest.datasets[0].rows:,} rows"
        )
        hub = hub_merge(engine, factory, s1, 1, profile)
        step(
            f"1. initial load of {n:,} rows (full snapshot)",
            hub,
            plain_merge(dsn, base),
            "(no target)",
        )
        hub = hub_merge(engine, factory, s2, 2, profile)
        plain = plain_merge(dsn, changed)
        step(
            f"2. {n:,}-row full snapshot, 1 % changed",
            hub,
            plain,
            f"target ratio <= 1.5: {'MET' if hub <= 1.5 * plain else 'MISSED'}",
        )
        hub = hub_merge(engine, factory, s3, 3, profile)
        step(
            f"3. {DELTA_ROWS:,}-change incremental into {n:,} rows",
            hub,
            plain_merge(dsn, delta),
            f"target hub <= 0.3 s: {'MET' if hub <= 0.3 else 'MISSED'}",
        )
        hub = hub_merge(engine, factory, s4, 4, profile)
        print(
            f"  4. the same with 1 key deleted (full delete detection, hub only)   "
            f"(load average {os.getloadavg()[0]:.2f})\n     hub merge:        {hub:8.3f} s"
        )
        print(*LAST_STATS, sep="\n")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--rows", type=int, default=1_000_000, help="rows in the full snapshot (default 1,000,000)"
    )
    ap.add_argument(
        "--dsn", help="an existing PostgreSQL database (default: start a throw-away server)"
    )
    ap.add_argument(
        "--profile", action="store_true", help="print the hub's slowest statements per step"
    )
    args = ap.parse_args()
    signal.signal(
        signal.SIGTERM, lambda *_: sys.exit(143)
    )  # run the finally below: stop the server
    header("merge: hub.merge vs plain PostgreSQL COPY + MERGE", rows=args.rows)
    server = None
    dsn = args.dsn
    try:
        if dsn is None:
            from tests.servers import PostgresServer

            server = PostgresServer().start()
            dsn = server.create_database("bench")
        run(dsn, args.rows, args.profile)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
