"""Sealed export of a 1M-row table vs `pg_dump` and `mysqldump`, measured in the same run.

The agent's real path runs: `agent.export.export` with a config file (connector
read → snapshot writer (zstd, SHA-256, the key-set digest) → seal → outbox), exactly what
`syncagent export --full` does, minus process start. Baselines dump the same
table to a file on the same disk. Targets (issue 2): ≥ 0.7× pg_dump's speed,
≥ 0.3× mysqldump's.

    python bench/bench_export.py                 # 1,000,000 rows, both databases
    python bench/bench_export.py --quick         # 100,000 rows
    python bench/bench_export.py --rows 500000 --only postgresql --repeat 3
    python bench/bench_export.py --cursor        # the dataset has cursor = "updated_at"

Servers (PostgreSQL, MariaDB) are started on 127.0.0.1 and stopped by PID.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

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


def best(repeat: int, fn: Callable[[], float]) -> float:
    times = [fn() for _ in range(repeat)]
    return min(times)


def bench_postgres(rows: int, repeat: int, work: Path, hub: c.HubKeyPair) -> bool:
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
        plain = best(
            repeat,
            lambda: c.timed(
                lambda: c.run_quiet(
                    ["pg_dump", "-t", "items", "-f", str(dump), "shop"], env=pg.psql_env
                )
            )[0],
        )
        dump_bytes = dump.stat().st_size
        custom = best(
            repeat,
            lambda: c.timed(
                lambda: c.run_quiet(
                    ["pg_dump", "-Fc", "-t", "items", "-f", str(dump), "shop"], env=pg.psql_env
                )
            )[0],
        )
        mine, sealed_bytes = best_export(agent, repeat)
    print(
        f"PostgreSQL, {rows:,} rows: pg_dump plain {dump_bytes / 2**20:.0f} MiB in {plain:.2f} s; "
        f"pg_dump -Fc (gzip) {custom:.2f} s; sealed snapshot {sealed_bytes / 2**20:.1f} MiB in {mine:.2f} s "
        f"({cpu_note()})"
    )
    met = c.speed_ratio("  export vs pg_dump (plain)", mine, plain, 0.7, "pg_dump")
    print(f"  (vs pg_dump -Fc, which also compresses: {custom / mine:.2f}x)")
    return met


def best_export(agent: c.AgentFolder, repeat: int) -> tuple[float, int]:
    """The best of ``repeat`` sealed exports: (seconds, sealed bytes of the last one)."""
    sealed = 0

    def once() -> float:
        nonlocal sealed
        secs, sealed = agent_export(agent)
        return secs

    return best(repeat, once), sealed


def bench_mariadb(rows: int, repeat: int, work: Path, hub: c.HubKeyPair) -> bool:
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
        base = best(repeat, lambda: c.timed(lambda: c.run_quiet(argv))[0])
        dump_bytes = dump.stat().st_size
        mine, sealed_bytes = best_export(agent, repeat)
    print(
        f"MariaDB, {rows:,} rows: mysqldump {dump_bytes / 2**20:.0f} MiB in {base:.2f} s; "
        f"sealed snapshot {sealed_bytes / 2**20:.1f} MiB in {mine:.2f} s ({cpu_note()})"
    )
    return c.speed_ratio("  export vs mysqldump", mine, base, 0.3, "mysqldump")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 rows")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs for each side")
    ap.add_argument("--only", choices=["postgresql", "mariadb"])
    ap.add_argument("--cursor", action="store_true", help='dataset with cursor = "updated_at"')
    args = ap.parse_args()
    if args.cursor:
        DATASET["cursor"] = "updated_at"
    rows = 100_000 if args.quick else args.rows
    c.header(
        "sealed export vs pg_dump / mysqldump", rows=rows, repeat=args.repeat, cursor=args.cursor
    )
    print(
        f"   load average at start: {os.getloadavg()[0]:.1f} (on a shared box, compare the ratios)"
    )
    hub = c.HubKeyPair.generate()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        if args.only in (None, "postgresql"):
            bench_postgres(rows, args.repeat, Path(tmp), hub)
        if args.only in (None, "mariadb"):
            bench_mariadb(rows, args.repeat, Path(tmp), hub)


if __name__ == "__main__":
    main()
