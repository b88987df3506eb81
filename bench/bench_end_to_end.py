"""End to end: from starting `syncagent push` to the merged commit at the hub, priced against
the plain copy a user could script (issues 3 and 23).

Real parts only: the source is a PostgreSQL table, `syncagent push` runs as
its own process (start-up included), uploads through a real OpenSSH sshd with
the production chroot config, and the hub (on PostgreSQL, its home laid over
sshd's chroot root) polls `hub.ingest.worker.run_once` every few milliseconds
in this process — the way `synchub ingest` runs continuously. The clock stops
when the round that committed the snapshot returns.

The anchor is measured right before each push, on the same server, in the same
run: ``pg_dump --data-only -t items | psql`` into an empty table with the same
primary key (and, printed beside it, ``pg_dump -Fc`` + ``pg_restore``). Runs, in
order, with their targets as a ratio to ``pg_dump | psql``:

  1. full snapshot into an empty hub (initial load)     <= 1.5x
  2. 1 % of the rows changed, incremental push          <= 0.4x
  3. 1 % changed again, `push --full` (nightly full)    <= 1.5x

    python bench/bench_end_to_end.py                  # 1,000,000 rows, idle
    python bench/bench_end_to_end.py --background 1   # the same beside one busy core
    python bench/bench_end_to_end.py --quick          # 100,000 rows

Needs root (sshd chroots). The baseline for the merge itself is in bench_merge.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as c

POLL = 0.02  # seconds between hub ingest rounds while waiting


class HubUnderTest:
    """The hub's ingest on PostgreSQL, reading the inboxes that sshd writes."""

    def __init__(self, home: Path, dsn: str, statement_timeout: float) -> None:
        from hub.core.keys import HubKeys
        from hub.core.runtime import init_hub, open_hub
        from hub.core.settings import HubSettings

        # a statement stuck longer than the run's timeout is cancelled by the server (reported as MISSED)
        url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
        url += f"?options=-c%20statement_timeout%3D{int(statement_timeout * 1000)}"
        self.settings = HubSettings(home=home, database_url=url, environment="test")
        init_hub(self.settings)  # `synchub init`
        self.engine, self.factory = open_hub(self.settings)
        self.keys = HubKeys.load_or_create(self.settings.keys_dir)

    def enrol(self, reseller_id: str, ssh_line: str, signing_b64: str) -> None:
        from hub.core.db import transaction
        from hub.resellers.service import add_reseller

        with transaction(self.factory) as s:
            add_reseller(
                s,
                {
                    "id": reseller_id,
                    "name": reseller_id,
                    "ssh_public_key": ssh_line,
                    "signing_public_key": signing_b64,
                },
            )

    def agent_over_sshd(
        self, sshd: Any, folder: Path, rid: str, url: str, datasets: list[dict[str, Any]]
    ) -> c.AgentFolder:
        """An agent folder delivering to this hub through ``sshd``'s chroot, enrolled at both."""
        from shared import keys as sk

        agent = c.make_agent(
            folder,
            rid,
            url,
            datasets,
            seal_b64=sk.public_b64(self.keys.seal_key),
            signing_b64=sk.public_b64(self.keys.signing_key),
            hub_host=sshd.host,
            hub_port=sshd.port,
            username=sshd.login_name(rid),
            host_key=sshd.host_public_key,
        )
        sshd.add_reseller(rid, agent.ssh_public_key)
        self.enrol(rid, agent.ssh_public_key, agent.signing_public_key)
        return agent

    def wait_applied(
        self, sequence: int, timeout: float = 600, log: list[tuple[float, str]] | None = None
    ) -> tuple[float, dict]:
        """Poll ingest rounds until ``sequence`` is committed; (monotonic time of the commit, stats).

        ``log``: keep only the statements of the round that committed it (earlier rounds found nothing).
        """
        from hub.ingest.models import Snapshot
        from hub.ingest.worker import run_once

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if log is not None:
                del log[:]
            report = run_once(self.settings, self.factory, self.keys)
            done = time.monotonic()
            for o in report.outcomes:
                if o.sequence == sequence:
                    if o.status != "applied":
                        raise SystemExit(f"snapshot {sequence} was {o.status}: {o.reason}")
                    with self.factory() as s:
                        row = s.get(Snapshot, o.snapshot_id)
                        return done, dict(row.stats or {})
            if time.monotonic() >= deadline:
                break
            if report.errors and any("statement timeout" in e for e in report.errors):
                raise TimeoutError(
                    f"snapshot {sequence}: a hub statement ran over {timeout:.0f} s "
                    "and was cancelled"
                )
            if report.errors:
                raise SystemExit(f"ingest errors: {report.errors}")
            time.sleep(POLL)
        raise TimeoutError(f"snapshot {sequence} not committed at the hub within {timeout:.0f} s")


def push(
    agent: c.AgentFolder,
    hub: HubUnderTest,
    sequence: int,
    *extra: str,
    timeout: float = 600,
    profile: bool = False,
) -> dict[str, float]:
    """Start `syncagent push`, wait for the hub's commit; the times that matter, in seconds."""
    syncagent = str(Path(sys.executable).parent / "syncagent")
    load = c.load_note()  # the box is shared: print it with each number
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [syncagent, "-c", str(agent.config_path), "push", *extra],
        cwd=agent.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with c.statement_log(hub.engine, profile) as log:
        try:
            committed, stats = hub.wait_applied(sequence, timeout, log if profile else None)
        finally:
            out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"syncagent push failed ({proc.returncode}):\n{err[-3000:]}")
    timings = stats.get("timings", {})
    agent = json.loads(out.strip().splitlines()[-1]).get("seconds", {})  # the push's own summary
    if profile:
        print(
            f"  push {sequence} {' '.join(extra)}: the hub's slowest statements in the committing round"
        )
        c.print_statements(log, timings.get("merge_s", 0.0) + timings.get("verify_extract_s", 0.0))
    return {
        "total": committed - t0,
        "verify": timings.get("verify_extract_s", 0.0),
        "merge": timings.get("merge_s", 0.0),
        "export": agent.get("export", 0.0),
        "delivery": agent.get("delivery", 0.0),
        "load": load,
    }


def change_one_percent(dsn: str, round_: int) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(
            "UPDATE items SET stock = stock + %s, updated_at = now() WHERE id %% 100 = %s",
            (round_, round_ % 100),
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 rows")
    ap.add_argument(
        "--timeout", type=float, default=300, help="give up on one push after this many seconds"
    )
    ap.add_argument(
        "--analyze",
        action="store_true",
        help="ANALYZE the hub's merged tables after each push (what autovacuum does "
        "within a minute; works around stale planner statistics, see bench/README.md)",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="print the hub's slowest statements of each push (merge and verify time outside them)",
    )
    c.add_background_arg(ap)
    args = ap.parse_args()
    rows = 100_000 if args.quick else args.rows
    c.header(
        "end to end: syncagent push -> merged commit at the hub (PostgreSQL, OpenSSH sshd)",
        rows=rows,
        background=args.background,
    )
    from hub.merge import tables
    from tests.servers import PostgresServer, SshdServer

    rid = "bench-e2e"
    with (
        tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp,
        c.started(PostgresServer()) as pg,
        c.started(SshdServer()) as sshd,
    ):
        shop = pg.create_database("shop")
        c.pg_items(shop, rows)
        hub = HubUnderTest(sshd.base, pg.create_database("hub"), args.timeout)

        agent = hub.agent_over_sshd(
            sshd, Path(tmp) / "agent", rid, shop, [{**c.ITEMS_DATASET, "cursor": "updated_at"}]
        )

        results = []
        runs = [
            ("full snapshot, initial load", (), 1.5),
            ("1 % changes, incremental", (), 0.4),
            ("1 % changes, full snapshot", ("--full",), 1.5),
        ]
        with c.background(args.background):
            for seq, (label, extra, target) in enumerate(runs, start=1):
                if seq > 1:
                    change_one_percent(shop, seq)
                anchors = c.pg_copy_anchors(pg, "shop", Path(tmp))
                try:
                    r = push(agent, hub, seq, *extra, timeout=args.timeout, profile=args.profile)
                except TimeoutError as exc:
                    print(f"{label}: MISSED — {exc}; stopping here")
                    break
                results.append((label, r, anchors, target))
                if args.analyze:
                    with hub.engine.begin() as con:
                        con.exec_driver_sql(f"ANALYZE {tables.of(rid, 'items').current}")
        hub.engine.dispose()
    for label, r, anchors, target in results:
        c.ratio_line(
            f"{label:<30} ({rows:,} rows)",
            r["total"],
            anchors["pg_dump | psql"],
            target,
            "pg_dump | psql",
        )
        print(
            f"    of which hub verify+extract {r['verify']:.2f} s, merge {r['merge']:.2f} s; "
            f"agent start+export+upload+poll {r['total'] - r['verify'] - r['merge']:.2f} s "
            f"(its export {r['export']:.2f} s, delivery {r['delivery']:.2f} s); "
            f"{r['load']} at the start"
        )
        outside = r["total"] - r["merge"]
        print(
            f"    floor: everything but the merge (agent, upload, verify, polling) is "
            f"{outside / anchors['pg_dump | psql']:.2f}x the anchor by itself"
        )
        custom = anchors["pg_dump -Fc + pg_restore"]
        print(
            f"    pg_dump -Fc + pg_restore {custom:.2f} s in the same run ({r['total'] / custom:.2f}x)"
        )


if __name__ == "__main__":
    main()
