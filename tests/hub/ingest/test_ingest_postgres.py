"""Scale-out on a real PostgreSQL: a worker killed mid-merge, and two workers racing over a burst.

The hub runs as real ``synchub ingest`` subprocesses, so a SIGKILL is a real
crash (the server rolls the open transaction back) and two workers are two
processes competing with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from ingest_kit import Hub
from sqlalchemy import select

from hub.ingest.leader import Leader
from hub.ingest.models import Snapshot
from hub.ingest.pipeline import FAULT_MARKER, FAULT_SLEEP
from hub.merge.query import record_history

TIMEOUT = 120


def hub_env(hub: Hub, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCHUB_")}
    env.update(
        SYNCHUB_HOME=str(hub.settings.home),
        SYNCHUB_DATABASE_URL=hub.settings.database_url,
        SYNCHUB_ENVIRONMENT="test",
        **extra,
    )
    return env


def synchub(hub: Hub, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hub.cli", *args], env=hub_env(hub, **env), cwd=hub.tmp
    )


def wait_for(check, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_sigkill_during_merge_then_restart_applies_exactly_once(pg_hub: Hub) -> None:
    r = pg_hub.reseller("toko-a")
    rows = {i: (f"item {i}", f"{i}.50") for i in range(1, 3001)}
    r.push(1, "full", rows)
    marker = pg_hub.tmp / "inside-merge"
    proc = synchub(pg_hub, "ingest", "--once", **{FAULT_SLEEP: "300", FAULT_MARKER: str(marker)})
    try:
        wait_for(
            lambda: marker.exists() or proc.poll() is not None,
            "the worker to reach the fault point",
        )
        assert proc.poll() is None, "the worker exited before the fault point"
        # merged but not committed: invisible to everyone else
        assert [s.status for s in pg_hub.snapshots()] == ["received"]
        assert pg_hub.version_count("toko-a") == 0
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert [s.status for s in pg_hub.snapshots()] == ["received"]  # rolled back, claimable again
    assert pg_hub.version_count("toko-a") == 0
    restarted = synchub(pg_hub, "ingest", "--once")
    assert restarted.wait(TIMEOUT) == 0
    (snap,) = pg_hub.snapshots()
    assert snap.status == "applied" and snap.rows == len(rows)
    assert pg_hub.products("toko-a") == rows
    assert pg_hub.version_count("toko-a") == len(rows)  # once, not twice
    assert pg_hub.sync("toko-a").last_applied_sequence == 1
    assert not list(pg_hub.settings.home.joinpath("received", "toko-a").iterdir())


def burst(hub: Hub, resellers: int, per_reseller: int, seed: int = 7) -> dict[str, dict]:
    """Full snapshot 1 then incrementals that all touch key 1 (so order matters), shuffled uploads."""
    expected: dict[str, dict] = {}
    uploads = []
    for n in range(resellers):
        r = hub.reseller(f"toko-{n:02d}")
        state = {k: (f"p{k}", "1.00") for k in range(1, 6)}
        uploads.append(r.seal(1, "full", state))
        for seq in range(2, per_reseller + 1):
            change = {1: ("p1", f"{seq}.00"), 10 + seq: (f"new{seq}", "3.00")}
            uploads.append(r.seal(seq, "incremental", change))
            state.update(change)
        expected[r.id] = state
    random.Random(seed).shuffle(uploads)
    for sealed in uploads:
        rid = sealed.name.rsplit("-", 2)[0]
        inbox = hub.settings.sftp_root / rid / "inbox"
        (inbox / (sealed.name + ".part")).write_bytes(sealed.read_bytes())
        os.replace(inbox / (sealed.name + ".part"), inbox / sealed.name)
    return expected


def test_two_workers_apply_a_burst_exactly_once(pg_hub: Hub) -> None:
    resellers, per = 10, 5
    expected = burst(pg_hub, resellers, per)
    workers = [synchub(pg_hub, "ingest", "--interval", "0.2") for _ in range(2)]
    try:
        wait_for(
            lambda: (
                Counter(s.status for s in pg_hub.snapshots()).get("applied", 0) == resellers * per
                or any(w.poll() is not None for w in workers)
            ),
            "all 50 snapshots to be applied",
        )
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    snaps = pg_hub.snapshots()
    assert len(snaps) == resellers * per
    assert Counter(s.status for s in snaps) == {"applied": resellers * per}
    assert len({(s.reseller_id, s.sequence) for s in snaps}) == resellers * per
    with pg_hub.factory() as s:
        for rid, state in expected.items():
            assert pg_hub.products(rid) == state
            assert pg_hub.sync(rid).last_applied_sequence == per
            # key 1's history: one version per snapshot, in sequence order — never twice, never swapped
            sequence = {i: q for i, q in s.execute(select(Snapshot.id, Snapshot.sequence))}
            versions = sorted(
                record_history(s, rid, "products", "1")[1], key=lambda v: sequence[v.snapshot_id]
            )
            assert [str(v.values[-1]) for v in versions] == ["1.00"] + [
                f"{q}.00" for q in range(2, per + 1)
            ]
            assert pg_hub.version_count(rid) == 5 + 2 * (per - 1)
        by_worker = Counter(w for w in s.scalars(select(Snapshot.worker)))
    print("snapshots per worker:", dict(by_worker))


def test_advisory_lock_elects_one_leader(pg_hub: Hub) -> None:
    first, second = Leader(pg_hub.engine, "job"), Leader(pg_hub.engine, "job")
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        first.release()
        assert second.try_acquire() is True
    finally:
        first.release()
        second.release()


def test_sqlite_leader_is_always_leader(hub: Hub) -> None:
    assert Leader(hub.engine, "job").try_acquire() is True
    assert Path(hub.settings.home).exists()
