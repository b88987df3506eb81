"""As-of reads of the merged store on PostgreSQL vs a plain SQL history table, same rows, same run.

Why this exists: the merged store (``hub.merge``) keeps every version of every record so that
a reseller's data can be read as it was at any past instant. Its storage is being rewritten;
this benchmark measures the reads users make of that history through the public API only —
:func:`hub.merge.merge_snapshot` to fill it, :mod:`hub.merge.query` (``rows_as_of``,
``record_history``, ``iter_rows``, ``current_rows``) to read it — so the same script runs
unchanged before and after the rewrite and the two outputs compare line by line.

Scenario (one reseller, one dataset ``items``: id, name, price, stock):

* a first load of ``--rows`` rows (a full snapshot, source time T0 = 2024-01-01 00:00 UTC);
* ``--changes`` snapshots (``--kind incremental`` or ``full``), change k at T0 + k hours, each
  changing 1 % of the rows: 0.5 % "hot" rows (every 200th id, changed by every snapshot, so they
  carry 1 + changes versions) and 0.5 % rotating rows (ids ≡ k mod 200, changed once).

Reads timed, interleaved with their anchor, after one untimed round that also checks that
both sides return the same rows (a mismatch is printed and the exit status is 1):

  (a) one record as of T0 + 2h30 (between changes 2 and 3): ``rows_as_of`` filtered on the key,
      ``--points`` hot keys per round, one sample each;
  (b) the whole history of one changed key: ``record_history``, the same keys;
  (c) the whole dataset as of T0 + 2h30: ``iter_rows(at=…)``, every row consumed, one sample
      per round;
  (d) the whole current dataset: ``current_rows(limit=None)``, one sample per round.

Each of ours runs in a fresh ``Session`` (as an API request reads); the anchor runs the same
read on one psycopg connection, rolled back after each read. The anchor is what a developer
would write by hand in plain PostgreSQL: ``plain(id bigint PRIMARY KEY, name, price, stock)``
with the current rows, and ``plain_hist(id, valid_from, valid_to, name, price, stock)`` with an
index on (id, valid_from) holding every version (filled by the same snapshots' rows with
UPDATE … SET valid_to + INSERT); its reads are ``WHERE id = $1 AND valid_from <= $2 AND
(valid_to IS NULL OR valid_to > $2)``, ``WHERE id = $1 ORDER BY valid_from``, the same
condition without the id ``ORDER BY id``, and ``SELECT … FROM plain ORDER BY id``.

Printed per read: median and p95 (nearest rank: with 5 samples, the slowest) of ours and of
the anchor in milliseconds, and ours ÷ anchor for both. Numbers are printed, never asserted.
The database is ``VACUUM ANALYZE``d once after loading (both sides), so autovacuum does not
start in the middle of a measurement.

    python bench/bench_as_of.py [--rows 200000] [--changes 5] [--repeat 5] [--kind incremental]

Without ``--dsn`` a throw-away PostgreSQL is started (tests/servers.py, fsync off) and stopped
by its PID at the end (also on Ctrl-C / SIGTERM).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import signal
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import header, load_note
from bench.bench_merge import CHUNK, hub_store, key_chunks, snapshot
from hub.core.db import transaction
from hub.merge import merge_snapshot
from hub.merge.query import current_rows, iter_rows, record_history, rows_as_of
from shared.snapshot_reader import SnapshotReader

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 1, 1, tzinfo=UTC)
STEP = dt.timedelta(hours=1)
RESELLER, DATASET = "bench", "items"
HOT = 200  # every HOT-th id changes in every snapshot; ids ≡ k (mod HOT) change in snapshot k

PLAIN_DDL = [
    "DROP TABLE IF EXISTS plain, plain_hist",
    "CREATE TABLE plain (id bigint PRIMARY KEY, name text, price numeric, stock integer)",
    "CREATE TABLE plain_hist (id bigint NOT NULL, valid_from timestamptz NOT NULL, "
    "valid_to timestamptz, name text, price numeric, stock integer)",
    "CREATE INDEX plain_hist_id_from ON plain_hist (id, valid_from)",
]
ANCHOR_ONE = (
    "SELECT id, name, price, stock FROM plain_hist "
    "WHERE id = %(id)s AND valid_from <= %(at)s AND (valid_to IS NULL OR valid_to > %(at)s)"
)
ANCHOR_HISTORY = (
    "SELECT valid_from, valid_to, id, name, price, stock FROM plain_hist "
    "WHERE id = %(id)s ORDER BY valid_from"
)
ANCHOR_ALL_AT = (
    "SELECT id, name, price, stock FROM plain_hist "
    "WHERE valid_from <= %(at)s AND (valid_to IS NULL OR valid_to > %(at)s) ORDER BY id"
)
ANCHOR_CURRENT = "SELECT id, name, price, stock FROM plain ORDER BY id"


# ------------------------------------------------------------------ the source's rows


def row_line(i: int, version: int) -> str:
    """Row ``i`` as a COPY line, as the source has it after ``version`` changes touched it."""
    return f"{i}\tproduct {i}\t{i % 1000}.{i % 100:02d}\t{(i * 7 + version) % 500}\n"


def version_after(i: int, change: int) -> int:
    """Which change last touched row ``i`` once changes 1..``change`` are applied (0: none)."""
    if i % HOT == 0:
        return change
    return i % HOT if i % HOT <= change else 0


def changed_ids(n: int, change: int) -> list[int]:
    """The ids snapshot ``change`` alters: the hot ones and this change's rotating ones (1 %)."""
    return sorted([*range(HOT, n + 1, HOT), *range(change, n + 1, HOT)])


def full_chunks(n: int, change: int) -> list[bytes]:
    """The whole table after changes 1..``change`` as COPY chunks (``change`` 0: the first load)."""
    return [
        "".join(
            row_line(i, version_after(i, change)) for i in range(a, min(a + CHUNK, n + 1))
        ).encode()
        for a in range(1, n + 1, CHUNK)
    ]


def incremental_chunks(n: int, change: int) -> list[bytes]:
    """Only the rows snapshot ``change`` alters, as COPY chunks."""
    return ["".join(row_line(i, change) for i in changed_ids(n, change)).encode()]


# ------------------------------------------------------------------ loading both sides


def hub_load(factory: Any, reader: SnapshotReader, sid: int) -> str:
    with transaction(factory) as s:
        stats = merge_snapshot(
            s,
            reseller_id=RESELLER,
            snapshot_id=sid,
            manifest=reader.manifest,
            reader=reader,
            received_at=dt.datetime.now(UTC),
        )
    tot = stats.totals()
    return f"inserted {tot.inserted:,}, updated {tot.updated:,}, unchanged {tot.unchanged:,}"


def plain_load(con: Any, chunks: list[bytes], at: dt.datetime, first: bool) -> None:
    """Apply one snapshot's rows to ``plain_hist`` as a history table: close the versions whose
    values differ (valid_to = at), insert their new versions (and every row on the first load)."""
    con.execute(
        "CREATE TEMP TABLE stage (id bigint, name text, price numeric, stock integer) ON COMMIT DROP"
    )
    with con.cursor() as cur, cur.copy("COPY stage FROM STDIN") as cp:
        for c in chunks:
            cp.write(c)
    if first:
        con.execute(
            "INSERT INTO plain_hist SELECT id, %s, NULL, name, price, stock FROM stage", (at,)
        )
    else:
        con.execute("ANALYZE stage")
        con.execute(
            "UPDATE plain_hist h SET valid_to = %(at)s FROM stage s WHERE h.id = s.id "
            "AND h.valid_to IS NULL "
            "AND (h.name, h.price, h.stock) IS DISTINCT FROM (s.name, s.price, s.stock)",
            {"at": at},
        )
        con.execute(
            "INSERT INTO plain_hist SELECT s.id, %(at)s, NULL, s.name, s.price, s.stock "
            "FROM stage s JOIN plain_hist h ON h.id = s.id AND h.valid_to = %(at)s",
            {"at": at},
        )
    con.commit()


def load_both(dsn: str, factory: Any, n: int, changes: int, kind: str) -> None:
    import psycopg

    keys = key_chunks(n)
    with psycopg.connect(dsn) as con, tempfile.TemporaryDirectory() as tmp:
        for ddl in PLAIN_DDL:
            con.execute(ddl)
        con.commit()
        for k in range(changes + 1):
            at = T0 + k * STEP
            if k == 0:
                chunks, snap_kind = full_chunks(n, 0), "full"
            elif kind == "full":
                chunks, snap_kind = full_chunks(n, k), "full"
            else:
                chunks, snap_kind = incremental_chunks(n, k), "incremental"
            reader = snapshot(Path(tmp), k + 1, snap_kind, chunks, at, keys)
            start = time.perf_counter()
            note = hub_load(factory, reader, k + 1)
            hub_s = time.perf_counter() - start
            start = time.perf_counter()
            plain_load(con, chunks, at, first=k == 0)
            plain_s = time.perf_counter() - start
            what = "first load" if k == 0 else f"change {k}"
            print(
                f"   {what:>10} ({snap_kind}, source time {at:%H:%M}): hub merge {hub_s:6.2f} s "
                f"({note}); plain history table {plain_s:6.2f} s"
            )
        con.execute(
            "INSERT INTO plain SELECT id, name, price, stock FROM plain_hist WHERE valid_to IS NULL"
        )
        con.commit()
    with psycopg.connect(dsn, autocommit=True) as con:
        start = time.perf_counter()
        con.execute("VACUUM ANALYZE")
        print(f"   VACUUM ANALYZE of the database: {time.perf_counter() - start:.2f} s")


# ------------------------------------------------------------------ the reads


class Reads:
    """Each read of ours and its anchor; each returns rows in a comparable form."""

    def __init__(self, factory: Any, con: Any, at: dt.datetime) -> None:
        self.factory, self.con, self.at = factory, con, at

    def _anchor(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        rows = list(self.con.execute(sql, params))
        self.con.rollback()
        return rows

    def ours_one(self, key: int) -> list[tuple[Any, ...]]:
        with self.factory() as s:
            return rows_as_of(s, RESELLER, DATASET, self.at, filters={"id": str(key)}, limit=None)[
                1
            ]

    def anchor_one(self, key: int) -> list[tuple[Any, ...]]:
        return self._anchor(ANCHOR_ONE, {"id": key, "at": self.at})

    def ours_history(self, key: int) -> list[tuple[Any, ...]]:
        with self.factory() as s:
            versions = record_history(s, RESELLER, DATASET, str(key))[1]
        return [(v.valid_from, v.valid_to, *v.values) for v in versions]

    def anchor_history(self, key: int) -> list[tuple[Any, ...]]:
        return self._anchor(ANCHOR_HISTORY, {"id": key})

    def ours_all_at(self) -> list[tuple[Any, ...]]:
        with self.factory() as s:
            return list(iter_rows(s, RESELLER, DATASET, at=self.at)[1])

    def anchor_all_at(self) -> list[tuple[Any, ...]]:
        return self._anchor(ANCHOR_ALL_AT, {"at": self.at})

    def ours_current(self) -> list[tuple[Any, ...]]:
        with self.factory() as s:
            return current_rows(s, RESELLER, DATASET, limit=None)[1]

    def anchor_current(self) -> list[tuple[Any, ...]]:
        return self._anchor(ANCHOR_CURRENT, {})


def same(
    label: str, ours: list[tuple[Any, ...]], anchor: list[tuple[Any, ...]], by_id: bool = True
) -> bool:
    """Ours against the anchor's rows. ``by_id``: ours come in the store's key order (text), the
    anchor's by id, so ours are sorted by id first; a history is compared as it comes."""
    mine = [tuple(r) for r in (sorted(ours, key=lambda r: r[0]) if by_id else ours)]
    theirs = [tuple(r) for r in anchor]
    if mine == theirs:
        return True
    diff = next(
        (i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs))
    )
    print(
        f"   MISMATCH {label}: ours {len(mine):,} rows, anchor {len(theirs):,}; first difference "
        f"at row {diff}: ours {mine[diff] if diff < len(mine) else '-'}, "
        f"anchor {theirs[diff] if diff < len(theirs) else '-'}"
    )
    return False


def check(reads: Reads, keys: list[int], n: int, changes: int) -> bool:
    """The untimed warm-up round: every read of ours returns what its anchor returns."""
    ok = True
    for k in keys:
        ok &= same(f"(a) id={k}", reads.ours_one(k), reads.anchor_one(k))
        history = reads.ours_history(k)
        ok &= same(f"(b) id={k}", history, reads.anchor_history(k), by_id=False)
        if len(history) != changes + 1:
            print(f"   MISMATCH (b) id={k}: {len(history)} versions, expected {changes + 1}")
            ok = False
    for label, ours, anchor in (
        ("(c)", reads.ours_all_at, reads.anchor_all_at),
        ("(d)", reads.ours_current, reads.anchor_current),
    ):
        rows = ours()
        ok &= same(label, rows, anchor())
        if len(rows) != n:
            print(f"   MISMATCH {label}: {len(rows):,} rows, expected {n:,}")
            ok = False
    return ok


def timed_ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(reads: Reads, keys: list[int], repeat: int) -> dict[str, dict[str, list[float]]]:
    """``repeat`` rounds; within each, ours and the anchor alternate who goes first."""
    names = ("a", "b", "c", "d")
    samples: dict[str, dict[str, list[float]]] = {x: {"ours": [], "anchor": []} for x in names}

    def pair(name: str, ours: Callable[[], Any], anchor: Callable[[], Any], flip: bool) -> None:
        sides = [("ours", ours), ("anchor", anchor)]
        for side, fn in reversed(sides) if flip else sides:
            samples[name][side].append(timed_ms(fn))

    for r in range(repeat):
        flip = r % 2 == 1
        for k in keys:
            pair("a", partial(reads.ours_one, k), partial(reads.anchor_one, k), flip)
            pair("b", partial(reads.ours_history, k), partial(reads.anchor_history, k), flip)
        pair("c", reads.ours_all_at, reads.anchor_all_at, flip)
        pair("d", reads.ours_current, reads.anchor_current, flip)
        print(f"   round {r + 1}/{repeat} done ({load_note()})")
    return samples


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(title: str, ours: list[float], anchor: list[float]) -> None:
    om, ap_m = statistics.median(ours), statistics.median(anchor)
    op, ap_p = p95(ours), p95(anchor)
    print(f"  {title}  ({len(ours)} samples each)")
    print(f"     ours    median {om:10.2f} ms   p95 {op:10.2f} ms")
    print(f"     anchor  median {ap_m:10.2f} ms   p95 {ap_p:10.2f} ms")
    print(f"     ours / anchor: median {om / ap_m:6.2f}x   p95 {op / ap_p:6.2f}x")


# ------------------------------------------------------------------ main


def run(dsn: str, n: int, changes: int, repeat: int, points: int, kind: str) -> bool:
    import psycopg

    with psycopg.connect(dsn) as con:
        tables = con.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
    if tables and tables[0]:
        raise SystemExit(
            f"{dsn} already holds {tables[0]} table(s): give an empty database "
            "(e.g. createdb bench_asof), or leave out --dsn to start a throw-away server"
        )
    engine, factory = hub_store(dsn)
    print(f"  loading: first load of {n:,} rows, then {changes} {kind} snapshot(s) of 1 % changes")
    load_both(dsn, factory, n, changes, kind)
    at = T0 + 2 * STEP + STEP / 2 if changes >= 3 else T0 + changes * STEP / 2
    hot = list(range(HOT, n + 1, HOT))
    keys = [hot[(j * len(hot)) // points + len(hot) // (2 * points)] for j in range(points)]
    print(f"  reading as of {at:%Y-%m-%d %H:%M} UTC; {points} hot keys: {keys[0]}, {keys[1]}, …")
    with psycopg.connect(dsn) as con:
        reads = Reads(factory, con, at)
        ok = check(reads, keys, n, changes)
        print(f"  warm-up round: ours and the anchor return the same rows: {'yes' if ok else 'NO'}")
        samples = measure(reads, keys, repeat)
    engine.dispose()
    print(f"== results ({load_note()})")
    titles = {
        "a": f"(a) one record as of {at:%H:%M}, rows_as_of(filters={{'id': key}}) vs plain_hist",
        "b": f"(b) record_history of one changed key ({changes + 1} versions) vs plain_hist",
        "c": f"(c) whole dataset as of {at:%H:%M}, iter_rows(at=…) consumed vs plain_hist ORDER BY id",
        "d": "(d) whole current dataset, current_rows(limit=None) vs plain ORDER BY id",
    }
    for name, title in titles.items():
        report(title, samples[name]["ours"], samples[name]["anchor"])
    if not ok:
        print(
            "  MISMATCH above: ours and the anchor disagree; the timings compare different answers"
        )
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__,
        epilog="Exit status 1 when ours and the anchor return different rows.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--rows", type=int, default=200_000, help="rows of the first load (default 200,000)"
    )
    ap.add_argument(
        "--changes",
        type=int,
        default=5,
        help="snapshots after the first load, one source hour apart, each changing 1 %% of rows "
        f"(1..{HOT - 1}, default 5; with fewer than 3 the as-of instant is half the last one)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="timed rounds, each running every read of both sides (default 5)",
    )
    ap.add_argument(
        "--points",
        type=int,
        default=20,
        help="keys read per round by (a) and (b), each one sample (default 20)",
    )
    ap.add_argument(
        "--kind",
        choices=("incremental", "full"),
        default="incremental",
        help="how the change snapshots arrive: only the changed rows with the key list, "
        "or the whole table (default incremental)",
    )
    ap.add_argument(
        "--quick", action="store_true", help="small sizes, seconds: --rows 20000 --repeat 3"
    )
    ap.add_argument(
        "--dsn",
        help="an empty PostgreSQL database, postgresql://… (default: start a throw-away server)",
    )
    args = ap.parse_args()
    if args.quick:
        args.rows, args.repeat = 20_000, 3
    if not 1 <= args.changes < HOT:
        ap.error(f"--changes must be 1..{HOT - 1} (rotating rows are ids ≡ k mod {HOT})")
    if args.rows < HOT * args.points:
        ap.error(f"--rows must be at least {HOT * args.points:,} for {args.points} hot keys")
    if args.repeat < 1 or args.points < 1:
        ap.error("--repeat and --points must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally: stop the server
    header(
        "as-of reads: hub.merge.query vs a plain PostgreSQL history table",
        rows=args.rows,
        changes=args.changes,
        kind=args.kind,
        repeat=args.repeat,
        points=args.points,
    )
    server = None
    dsn = args.dsn
    ok = False
    try:
        if dsn is None:
            from tests.servers import PostgresServer

            server = PostgresServer().start()
            dsn = server.create_database("bench")
        ok = run(dsn, args.rows, args.changes, args.repeat, args.points, args.kind)
    finally:
        if server is not None:
            server.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
