"""Sealed export of a 1M-row table vs `pg_dump` and `mysqldump`, measured in the same run.

The agent's real path runs: `agent.export.export` with a config file (connector
read → snapshot writer (zstd, SHA-256, the key-set digest) → seal → outbox), exactly what
`syncagent export --full` does, minus process start. Baselines dump the same
table to a file on the same disk. Targets (issues 2 and 23): ≥ 0.7× pg_dump's speed,
≥ 0.35× mysqldump's — idle and with ``--background 1`` (one busy core beside it).

    python bench/bench_export.py                 # 1,000,000 rows, both databases
    python bench/bench_export.py --quick         # 100,000 rows
    python bench/bench_export.py --rows 500000 --only postgresql --repeat 3
    python bench/bench_export.py --cursor        # the dataset has cursor = "updated_at"
    python bench/bench_export.py --background 1  # beside one busy process

Servers (PostgreSQL, MariaDB) are started on 127.0.0.1 and stopped by PID.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import _common as c

from agent.config import PASSWORD_ENV, load_config
from agent.export import export
from agent.state import AgentState

DATASET = dict(
    c.ITEMS_DATASET
)  # --cursor adds cursor = "updated_at" (a full read then finds its maximum)
CPU: list[float] = []  # the agent's own CPU seconds per export (this process, all threads)


def agent_export(folder: c.AgentFolder) -> tuple[float, int]:
    """One full sealed export through the agent; (seconds, sealed bytes). Its CPU time goes to CPU."""
    cfg = load_config(folder.config_path)
    with AgentState(cfg.agent.state_dir) as state:
        cpu = time.process_time()
        secs, result = c.timed(lambda: export(cfg, state, full=True))
        CPU.append(time.process_time() - cpu)
    size = result.path.stat().st_size
    result.path.unlink()  # keep the outbox from growing across repeats
    return secs, size


def cpu_note() -> str:
    """The agent side's CPU (a loaded box inflates wall time, not this); the database's is not counted."""
    note = f"agent CPU {min(CPU):.2f} s" if CPU else ""
    CPU.clear()
    return note


def bench_postgres(rows: int, repeat: int, work: Path, hub: c.HubKeyPair, busy: int) -> bool:
    from tests.servers import PostgresServer

    with c.started(PostgresServer()) as pg:
        dsn = pg.create_database("shop")
        c.pg_items(dsn, rows)
        agent = c.make_agent(
            work / "pg-agent",
            "bench-pg",
            dsn,
            [DATASET],
            seal_b64=hub.seal_b64,
            signing_b64=hub.signing_b64,
        )
        dump = work / "pg_dump.sql"

        sizes: dict[str, int] = {}

        def pg_dump(*fmt: str) -> float:
            argv = ["pg_dump", *fmt, "-t", "items", "-f", str(dump), "shop"]
            secs = c.timed(lambda: c.run_quiet(argv, env=pg.psql_env))[0]
            sizes["custom" if fmt else "plain"] = dump.stat().st_size
            return secs

        with c.background(busy):
            best = c.interleave(
                repeat,
                {
                    "plain": lambda: pg_dump(),
                    "custom": lambda: pg_dump("-Fc"),
                    "ours": lambda: sealed_export(agent, sizes),
                },
            )
    plain, custom, mine = best["plain"], best["custom"], best["ours"]
    print(
        f"PostgreSQL, {rows:,} rows: pg_dump plain {sizes['plain'] / 2**20:.0f} MiB in {plain:.2f} s; "
        f"pg_dump -Fc (gzip) {custom:.2f} s; sealed snapshot {sizes['sealed'] / 2**20:.1f} MiB "
        f"in {mine:.2f} s ({cpu_note()})"
    )
    met = c.speed_ratio("  export vs pg_dump (plain)", mine, plain, 0.7, "pg_dump")
    print(f"  (vs pg_dump -Fc, which also compresses: {custom / mine:.2f}x)")
    return met


def sealed_export(agent: c.AgentFolder, sizes: dict[str, int]) -> float:
    """One sealed export; its size goes to ``sizes["sealed"]``."""
    secs, sizes["sealed"] = agent_export(agent)
    return secs


def bench_mariadb(rows: int, repeat: int, work: Path, hub: c.HubKeyPair, busy: int) -> bool:
    from tests.servers import MariaDBServer, find_binary

    dump_bin = find_binary("mariadb-dump", "/usr/bin/mysqldump")
    with c.started(MariaDBServer()) as my:
        db = my.create_database("shop")
        c.mariadb_items(my, db, rows)
        os.environ[PASSWORD_ENV] = (
            my.password
        )  # the agent reads the password from here, never the file
        agent = c.make_agent(
            work / "my-agent",
            "bench-my",
            f"mysql://{my.user}@{my.host}:{my.port}/{db}",
            [DATASET],
            seal_b64=hub.seal_b64,
            signing_b64=hub.signing_b64,
        )
        dump = work / "mysqldump.sql"
        argv = [
            dump_bin,
            "-h",
            my.host,
            "-P",
            str(my.port),
            "-u",
            my.user,
            f"-p{my.password}",
            "--single-transaction",
            "--quick",
            f"--result-file={dump}",
            db,
            "items",
        ]
        sizes: dict[str, int] = {}
        with c.background(busy):
            best = c.interleave(
                repeat,
                {
                    "dump": lambda: c.timed(lambda: c.run_quiet(argv))[0],
                    "ours": lambda: sealed_export(agent, sizes),
                },
            )
        dump_bytes = dump.stat().st_size
    base, mine = best["dump"], best["ours"]
    print(
        f"MariaDB, {rows:,} rows: mysqldump {dump_bytes / 2**20:.0f} MiB in {base:.2f} s; "
        f"sealed snapshot {sizes['sealed'] / 2**20:.1f} MiB in {mine:.2f} s ({cpu_note()})"
    )
    return c.speed_ratio("  export vs mysqldump", mine, base, 0.35, "mysqldump")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 rows")
    ap.add_argument(
        "--repeat", type=int, default=1, help="best of N rounds, each side once per round"
    )
    ap.add_argument("--only", choices=["postgresql", "mariadb"])
    ap.add_argument("--cursor", action="store_true", help='dataset with cursor = "updated_at"')
    c.add_background_arg(ap)
    args = ap.parse_args()
    if args.cursor:
        DATASET["cursor"] = "updated_at"
    rows = 100_000 if args.quick else args.rows
    c.header(
        "sealed export vs pg_dump / mysqldump",
        rows=rows,
        repeat=args.repeat,
        cursor=args.cursor,
        background=args.background,
    )
    hub = c.HubKeyPair.generate()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        if args.only in (None, "postgresql"):
            bench_postgres(rows, args.repeat, Path(tmp), hub, args.background)
        if args.only in (None, "mariadb"):
            bench_mariadb(rows, args.repeat, Path(tmp), hub, args.background)


if __name__ == "__main__":
    main()
