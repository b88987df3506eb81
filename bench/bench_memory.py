"""Peak memory of a sealed export: 1M vs 5M rows must stay flat and under 200 MB (issue 2).

Each export runs in its own child process (the agent's real path,
`agent.export.export` with a config, on PostgreSQL) which reports its peak
resident set (VmHWM from /proc/self/status) after imports and after the
export. Flat = the 5M-row peak is within a few MiB of the 1M-row peak.

    python bench/bench_memory.py                  # 1,000,000 and 5,000,000 rows
    python bench/bench_memory.py --quick          # 100,000 and 500,000 rows
    python bench/bench_memory.py --rows 1000000 --rows 2000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import _common as c

LIMIT_MIB = 200 * 10**6 / 2**20  # "200 MB"


def child(config: str) -> None:
    """Run one full export and print peak RSS (MiB) after imports and after the export, as JSON."""
    from agent.config import load_config
    from agent.export import export
    from agent.state import AgentState

    cfg = load_config(config)
    before = c.peak_rss_mib()
    with AgentState(cfg.agent.state_dir) as state:
        secs, result = c.timed(lambda: export(cfg, state, full=True))
    print(
        json.dumps(
            {
                "imports_mib": before,
                "peak_mib": c.peak_rss_mib(),
                "seconds": secs,
                "rows": sum(d.rows for d in result.manifest.datasets),
                "sealed_bytes": result.path.stat().st_size,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, action="append", help="table sizes (repeatable)")
    ap.add_argument("--quick", action="store_true", help="100,000 and 500,000 rows")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    sizes = args.rows or ([100_000, 500_000] if args.quick else [1_000_000, 5_000_000])
    c.header("peak RSS of a sealed export (PostgreSQL source)", rows=sizes)
    from tests.servers import PostgresServer

    hub = c.HubKeyPair.generate()
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
        c.started(PostgresServer()) as pg,
    ):
        for n in sizes:
            dsn = pg.create_database(f"m{n}")
            c.pg_items(dsn, n)
            agent = c.make_agent(
                Path(tmp) / f"agent-{n}",
                f"bench-m{n}",
                dsn,
                [c.ITEMS_DATASET],
                seal_b64=hub.seal_b64,
                signing_b64=hub.signing_b64,
            )
            r = subprocess.run(
                [sys.executable, __file__, "--child", str(agent.config_path)],
                capture_output=True,
                text=True,
                cwd=c.REPO,
            )
            if r.returncode != 0:
                raise SystemExit(f"export of {n:,} rows failed:\n{r.stderr[-3000:]}")
            out = json.loads(r.stdout.strip().splitlines()[-1])
            results.append(out)
            print(
                f"{out['rows']:>10,} rows: peak RSS {out['peak_mib']:6.1f} MiB "
                f"(after imports {out['imports_mib']:5.1f} MiB), export {out['seconds']:.1f} s, "
                f"sealed {out['sealed_bytes'] / 2**20:.0f} MiB"
            )
            pg.drop_database(f"m{n}")
    peaks = [r["peak_mib"] for r in results]
    growth = max(peaks) - min(peaks)
    under = max(peaks) < LIMIT_MIB
    flat = growth < 16
    print(
        f"growth from {sizes[0]:,} to {sizes[-1]:,} rows: {growth:+.1f} MiB "
        f"(flat, < 16 MiB: {'MET' if flat else 'MISSED'}); "
        f"max {max(peaks):.1f} MiB (< 200 MB = {LIMIT_MIB:.0f} MiB: {'MET' if under else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
