"""Merge benchmark on PostgreSQL (a baseline in the same run; numbers are printed, not asserted).

1. A 1M-row full snapshot with 1 % changes merged with history (hub.merge)
   vs a plain PostgreSQL MERGE of the same rows into a keyed table (COPY into
   a staging table + MERGE). Target: ratio <= 1.5.
2. A 10k-change incremental into 1M rows. Target: <= 0.3 s.

    python bench/bench_merge.py [--rows 1000000] [--dsn postgresql://…]

Without --dsn a throw-away PostgreSQL is started (tests/servers.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.core.db import make_engine, session_factory, transaction  # noqa: E402
from hub.core.migrate import upgrade  # noqa: E402
from hub.merge import merge_snapshot  # noqa: E402
from shared.snapshot import SnapshotReader, SnapshotWriter  # noqa: E402
from shared.types import Column, PortableType  # noqa: E402

COLUMNS = [Column("id", PortableType.INTEGER, False), Column("name", PortableType.TEXT),
           Column("price", PortableType.DECIMAL), Column("stock", PortableType.INTEGER)]
UTC = dt.timezone.utc


def lines(ids: range, version: int, changed_every: int = 0) -> bytes:
    out = []
    for i in ids:
        bump = version if changed_every and i % changed_every == 0 else 0
        out.append(f"{i}\tproduct {i}\t{i % 1000}.{i % 100:02d}\t{(i * 7 + bump) % 500}\n")
    return "".join(out).encode()


def snapshot(work: Path, seq: int, kind: str, chunks: list[bytes], at: dt.datetime) -> SnapshotReader:
    w = SnapshotWriter(work / f"s{seq}", "bench", seq, kind, "bench", "postgresql", created_at=at, level=1)
    dw = w.dataset("items", COLUMNS, ["id"], keys_part=False)
    for c in chunks:
        dw.write(c)
    w.finish()
    return SnapshotReader.from_directory(work / f"s{seq}")


def timed_merge(factory, reader: SnapshotReader, sid: int, verify: bool = True) -> float:
    t = time.perf_counter()
    with transaction(factory) as s:
        merge_snapshot(s, reseller_id="bench", snapshot_id=sid, manifest=reader.manifest, reader=reader,
                       received_at=dt.datetime.now(UTC), verify_digest=verify)
    return time.perf_counter() - t


def plain_merge(dsn: str, chunks: list[bytes], create: bool) -> float:
    import psycopg

    with psycopg.connect(dsn) as con:
        if create:
            con.execute("CREATE TABLE plain (id integer PRIMARY KEY, name text, price numeric, stock integer)")
            con.commit()
        t = time.perf_counter()
        con.execute("CREATE TEMP TABLE stage (id integer, name text, price numeric, stock integer)")
        with con.cursor() as cur, cur.copy("COPY stage FROM STDIN") as cp:
            for c in chunks:
                cp.write(c)
        con.execute("ANALYZE stage")
        con.execute(
            "MERGE INTO plain p USING stage s ON p.id = s.id "
            "WHEN MATCHED AND (p.name, p.price, p.stock) IS DISTINCT FROM (s.name, s.price, s.stock) "
            "THEN UPDATE SET name = s.name, price = s.price, stock = s.stock "
            "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name, s.price, s.stock)")
        con.commit()
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dsn")
    args = ap.parse_args()
    server = None
    dsn = args.dsn
    if dsn is None:
        from tests.servers import PostgresServer

        server = PostgresServer().start()
        dsn = server.create_database("bench")
    try:
        run(dsn, args.rows)
    finally:
        if server is not None:
            server.stop()


def run(dsn: str, n: int) -> None:
    engine = make_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    upgrade(engine)
    factory = session_factory(engine)
    step = 100_000
    base = [lines(range(a, min(a + step, n + 1)), 0) for a in range(1, n + 1, step)]
    changed = [lines(range(a, min(a + step, n + 1)), 1, changed_every=100) for a in range(1, n + 1, step)]
    delta = [lines(range(50, n + 1, n // 10_000), 2, changed_every=1)]
    t0 = dt.datetime(2024, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        s1 = snapshot(work, 1, "full", base, t0)
        s2 = snapshot(work, 2, "full", changed, t0 + dt.timedelta(days=1))
        s3 = snapshot(work, 3, "incremental", delta, t0 + dt.timedelta(days=2))
        print(f"rows: {n:,}")
        print(f"initial load, hub merge:            {timed_merge(factory, s1, 1):7.2f} s")
        print(f"initial load, plain COPY+MERGE:     {plain_merge(dsn, base, True):7.2f} s")
        hub = timed_merge(factory, s2, 2)
        plain = plain_merge(dsn, changed, False)
        print(f"1 % changes, hub merge w/ history:  {hub:7.2f} s")
        print(f"1 % changes, plain COPY+MERGE:      {plain:7.2f} s")
        print(f"ratio hub/plain:                    {hub / plain:7.2f}  (target <= 1.5)")
        print(f"10k-change incremental into {n:,}: {timed_merge(factory, s3, 3):7.3f} s  (target <= 0.3)")
    engine.dispose()


if __name__ == "__main__":
    main()
