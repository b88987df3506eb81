"""`synchub data export` of a 5-row dataset vs a bare `python -c "import sqlalchemy, click"`.

Issue #16's target: the export takes at most 2x the bare start-up. Both run as
whole processes, interleaved (baseline, export, baseline, ...), on a hub on
SQLite under a temporary SYNCHUB_HOME whose 5-row dataset was merged through
the real merge. Prints min / median of each and the ratio of the medians.

Usage: .venv/bin/python bench/bench_cli_start.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header

BIN = Path(sys.executable).parent


def prepare(home: Path) -> None:
    """A migrated hub with reseller toko-a's dataset ``items`` of 5 rows, merged."""
    from hub.core.db import transaction
    from hub.core.runtime import init_hub, open_hub
    from hub.core.settings import HubSettings
    from hub.merge import merge_snapshot
    from shared.snapshot import SnapshotWriter
    from shared.snapshot_reader import SnapshotReader
    from shared.types import Column, PortableType

    settings = HubSettings(home=home)
    init_hub(settings)  # `synchub init`
    engine, factory = open_hub(settings)
    cols = [Column("id", PortableType.INTEGER, False), Column("name", PortableType.TEXT)]
    now = dt.datetime.now(dt.timezone.utc)
    w = SnapshotWriter(home / "snap", "toko-a", 1, "full", "bench", "sqlite", created_at=now)
    ds = w.dataset("items", cols, ["id"])
    ds.write(b"".join(f"{i}\titem {i}\n".encode() for i in range(1, 6)))
    ds.add_keys(b"".join(f"{i}\n".encode() for i in range(1, 6)))
    manifest = w.finish()
    with transaction(factory) as s:
        merge_snapshot(
            s,
            reseller_id="toko-a",
            snapshot_id=1,
            manifest=manifest,
            reader=SnapshotReader.from_directory(home / "snap"),
            received_at=now,
        )
    engine.dispose()


def run(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    r = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"{argv} failed: {r.stderr[-1500:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 runs each")
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    header("synchub data export start time", runs=runs)
    with tempfile.TemporaryDirectory() as d:
        home = Path(d)
        prepare(home)
        env = {**os.environ, "SYNCHUB_HOME": str(home)}
        env.pop("SYNCHUB_DATABASE_URL", None)
        export = [str(BIN / "synchub"), "data", "export", "toko-a", "items"]
        out = subprocess.run(export, env=env, capture_output=True, text=True, check=True).stdout
        assert out.count("\n") == 6, out  # header + 5 rows
        base = [sys.executable, "-c", "import sqlalchemy, click"]
        ours, baseline = [], []
        for _ in range(runs):
            baseline.append(run(base, env))
            ours.append(run(export, env))
    m_ours, m_base = statistics.median(ours), statistics.median(baseline)
    ratio = m_ours / m_base
    print(f"python -c 'import sqlalchemy, click': min {min(baseline):.3f} s, median {m_base:.3f} s")
    print(f"synchub data export (5 rows):        min {min(ours):.3f} s, median {m_ours:.3f} s")
    print(f"ratio {ratio:.2f}x the bare start (target <= 2x: {'MET' if ratio <= 2 else 'MISSED'})")


if __name__ == "__main__":
    main()
