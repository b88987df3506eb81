"""The nightly window on one hub: N resellers × 100k rows at 1 % change, 1 vs 2 ingest workers (issue 3).

Agents are skipped: each reseller's snapshots are written and sealed with
`shared.snapshot` / `shared.seal` exactly as an agent writes them (incrementals
carry the changed rows plus the full key set, the agent's default) and dropped
into the reseller's inbox the way the SFTP upload leaves them (`.part`, then
rename). The hub runs on PostgreSQL.

  setup (not timed): every reseller's first full snapshot is ingested, then
        `ANALYZE` (the statistics autovacuum has long gathered by the next night).
  night 1: one incremental per reseller (1 % of rows changed) — scan + 1 worker process.
  night 2: the same again — scan + 2 worker processes competing with SKIP LOCKED.

Targets: 1,000 resellers in < 2 min with one worker; speed-up with 2 workers ≥ 1.7×.
A smaller N is run here by default; the 1,000-reseller figure is an
EXTRAPOLATION (per-snapshot time × 1,000) and printed as such.

    python bench/bench_nightly.py                    # 40 resellers
    python bench/bench_nightly.py --quick            # 8 resellers
    python bench/bench_nightly.py --resellers 1000   # the real thing (setup alone takes long)
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from pathlib import Path

import _common as c

ROWS_PER_RESELLER = 100_000
UTC = dt.timezone.utc
T0 = dt.datetime(2024, 3, 1, tzinfo=UTC)


def columns():
    from shared.types import Column, PortableType

    return [
        Column("id", PortableType.INTEGER, False),
        Column("name", PortableType.TEXT),
        Column("price", PortableType.DECIMAL),
        Column("stock", PortableType.INTEGER),
    ]


def line(i: int, night: int) -> str:
    bump = night if night and i % 100 == night % 100 else 0
    return f"{i}\tproduct {i} kabel HDMI\t{i % 1000}.{i % 100:02d}\t{(i * 7 + bump) % 500}\n"


def seal(work: Path, inbox: Path, rid: str, signing_key, hub_pub, night: int, rows: int) -> None:
    """Write, seal and 'upload' (part + rename) reseller ``rid``'s snapshot of ``night`` (0 = full)."""
    from shared.manifest import snapshot_filename
    from shared.seal import seal_snapshot
    from shared.snapshot import SnapshotWriter

    kind = "full" if night == 0 else "incremental"
    seq = night + 1
    d = work / f"{rid}-{seq}"
    w = SnapshotWriter(
        d, rid, seq, kind, "bench-agent", "postgresql", created_at=T0 + dt.timedelta(days=seq)
    )
    ds = w.dataset("items", columns(), ["id"])
    ids = range(1, rows + 1)
    changed = ids if night == 0 else [i for i in ids if i % 100 == night % 100]
    ds.write("".join(line(i, night) for i in changed).encode())
    if night:
        ds.add_keys("".join(f"{i}\n" for i in ids).encode())
    name = snapshot_filename(rid, seq, kind)
    part = inbox / (name + ".part")
    seal_snapshot(w, part, signing_key=signing_key, hub_public_key=hub_pub)
    os.replace(part, inbox / name)
    shutil.rmtree(d)


def _worker(home: str, url: str, n: int, ready, go, done) -> None:
    """One ingest worker process (its own engine): wait for the start signal, then drain the queue."""
    from hub.core.keys import HubKeys
    from hub.core.runtime import open_hub
    from hub.core.settings import HubSettings
    from hub.ingest.worker import run_once, worker_id

    settings = HubSettings(home=Path(home), database_url=url, environment="test")
    _engine, factory = open_hub(settings)
    keys = HubKeys.load_or_create(settings.keys_dir)
    ready.put(n)
    go.wait()
    cpu0 = _own_cpu()
    report = run_once(settings, factory, keys, worker=worker_id(n))
    done.put((n, len(report.outcomes), report.counts(), report.errors, _own_cpu() - cpu0))


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the PostgreSQL server ``pid`` and its backends (live and exited), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(p: str) -> list[str]:
        with open(f"/proc/{p}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    own = fields(str(pid))
    total = sum(
        int(x) for x in own[11:15]
    )  # utime stime cutime cstime (exited backends are reaped here)
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                f = fields(p)
            except OSError:
                continue
            if f[1] == str(pid):
                total += int(f[11]) + int(f[12])
    return total / tick


def night(settings, factory, workers: int, pg_pid: int) -> tuple[float, float, int]:
    """Scan the inboxes, then process with ``workers`` processes; (scan s, total s, applied).

    Also prints where the CPU went (worker processes vs the PostgreSQL server) against the
    wall time: with 2 workers on a 2-core box, the sum is the ceiling of any speed-up.
    """
    from hub.ingest.scanner import scan
    from hub.ingest.store import Store

    ctx = mp.get_context("spawn")
    ready, done, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(
            target=_worker, args=(str(settings.home), settings.database_url, n, ready, go, done)
        )
        for n in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    t0 = time.perf_counter()
    pg0, load0 = server_cpu(pg_pid), os.getloadavg()[0]
    scan(Store.from_settings(settings), factory)
    t_scan = time.perf_counter() - t0
    go.set()
    results = [done.get(timeout=3600) for _ in procs]
    total = time.perf_counter() - t0
    pg_cpu = server_cpu(pg_pid) - pg0
    for p in procs:
        p.join()
    applied = 0
    worker_cpu = 0.0
    for n, count, counts, errors, cpu in sorted(results):
        print(
            f"    worker {n}: {count} snapshot(s) {counts}, CPU {cpu:.2f} s"
            + (f" errors: {errors}" if errors else "")
        )
        applied += counts.get("applied", 0)
        worker_cpu += cpu
    print(
        f"    CPU: workers {worker_cpu:.2f} s + PostgreSQL {pg_cpu:.2f} s = {worker_cpu + pg_cpu:.2f} s in "
        f"{total:.2f} s wall = {(worker_cpu + pg_cpu) / total:.2f} cores busy on {os.cpu_count()} "
        f"(load average before {load0:.2f}, after {os.getloadavg()[0]:.2f})"
    )
    return t_scan, total, applied


def merge_report(factory, seq: int) -> str:
    """How the hub merged the night's snapshots (sequence ``seq``): delete checks and mean merge time."""
    from collections import Counter

    from sqlalchemy import select

    from hub.ingest.models import Snapshot

    with factory() as s:
        stats = [r.stats or {} for r in s.scalars(select(Snapshot).where(Snapshot.sequence == seq))]
    checks = Counter(
        d.get("delete_check", "?") for st in stats for d in st.get("datasets", {}).values()
    )
    merge_s = [st["timings"]["merge_s"] for st in stats if "timings" in st]
    mean = sum(merge_s) / len(merge_s) if merge_s else float("nan")
    return f"delete checks {dict(checks)}, mean merge {mean:.3f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resellers", type=int, default=40)
    ap.add_argument("--rows", type=int, default=ROWS_PER_RESELLER, help="rows per reseller")
    ap.add_argument("--quick", action="store_true", help="8 resellers")
    args = ap.parse_args()
    n = 8 if args.quick else args.resellers
    c.header(
        "nightly window: N resellers x rows at 1 % change, one hub on PostgreSQL",
        resellers=n,
        rows_per_reseller=args.rows,
    )
    from hub.core.db import transaction
    from hub.core.keys import HubKeys
    from hub.core.runtime import init_hub, open_hub
    from hub.core.settings import HubSettings
    from hub.ingest.worker import run_once
    from hub.resellers.service import add_reseller
    from shared import keys as sk
    from tests.servers import PostgresServer

    with (
        tempfile.TemporaryDirectory(prefix="bench-nightly-") as tmp,
        c.started(PostgresServer()) as pg,
    ):
        url = pg.create_database("hub").replace("postgresql://", "postgresql+psycopg://", 1)
        settings = HubSettings(home=Path(tmp) / "home", database_url=url, environment="test")
        init_hub(settings)  # `synchub init`; the workers open the same home
        engine, factory = open_hub(settings)
        keys = HubKeys.load_or_create(settings.keys_dir)
        hub_pub = keys.seal_key.public_key()
        work = Path(tmp) / "agents"
        resellers = []
        for i in range(n):
            rid = f"toko-{i:04d}"
            signing = sk.generate_signing_key()
            with transaction(factory) as s:
                add_reseller(
                    s,
                    {
                        "id": rid,
                        "name": rid,
                        "ssh_public_key": _ssh_line(),
                        "signing_public_key": sk.public_b64(signing),
                    },
                )
            inbox = settings.sftp_root / rid / "inbox"
            inbox.mkdir(parents=True)
            resellers.append((rid, signing, inbox))

        def upload_all(night_no: int) -> float:
            secs, _ = c.timed(
                lambda: [
                    seal(work, inbox, rid, key, hub_pub, night_no, args.rows)
                    for rid, key, inbox in resellers
                ]
            )
            return secs

        gen = upload_all(0)
        setup, report = c.timed(lambda: run_once(settings, factory, keys))
        with engine.begin() as con:
            con.exec_driver_sql("ANALYZE")
        print(
            f"setup: {n} full snapshots written+sealed in {gen:.1f} s, ingested in {setup:.1f} s "
            f"({report.summary()})"
        )
        timings = {}
        for night_no, workers in ((1, 1), (2, 2)):
            gen = upload_all(night_no)
            print(
                f"night {night_no}: {n} incrementals ({args.rows // 100:,} changed rows + {args.rows:,} keys "
                f"each) written+sealed in {gen:.1f} s; ingest with {workers} worker(s):"
            )
            t_scan, total, applied = night(settings, factory, workers, pg.pid)
            timings[workers] = total
            print(
                f"    scan {t_scan:.2f} s, scan+ingest {total:.2f} s for {applied}/{n} applied "
                f"= {total / n:.3f} s per reseller; {merge_report(factory, night_no + 1)}"
            )
        engine.dispose()
    per = timings[1] / n
    print(
        f"measured: {n} resellers x {args.rows:,} rows, 1 worker {timings[1]:.1f} s, "
        f"2 workers {timings[2]:.1f} s"
    )
    c.limit_line(f"EXTRAPOLATED to 1,000 resellers, 1 worker ({per:.3f} s x 1000)", per * 1000, 120)
    speedup = timings[1] / timings[2]
    print(
        f"speed-up with 2 workers: {speedup:.2f}x (target >= 1.7x: {'MET' if speedup >= 1.7 else 'MISSED'})"
    )


def _ssh_line() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pub = Ed25519PrivateKey.generate().public_key()
    return pub.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


if __name__ == "__main__":
    main()
