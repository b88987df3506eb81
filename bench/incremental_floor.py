"""The agent's side of an incremental by how much changed, against ``pg_dump | psql`` (prints, never asserts).

    python bench/incremental_floor.py [--rows 1000000] [--changed 0 1 10] [--background N]

Issue 23 asks an incremental push of 1M rows with 1 % changed to cost at most 0.4× of
``pg_dump | psql``. The agent's change detection (#16) reads every key with its cursor and
compares each with its key ledger, to find deleted rows and rows written with an older cursor
value; this measures what that costs when *nothing* changed — the floor of the design, before
any upload or merge — and with the given percentages of rows changed. Each step runs the
agent's real export (``agent.export.export`` with a config: read, compare, seal, outbox) on a
PostgreSQL source after a full export, times the anchor right before it on the same server,
and prints both. The cursor read's own share (``agent.datasets.read_incremental``: the changed
rows) is printed beside it; the rest is the key read and the ledger.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import _common as c

from agent import detect
from agent.config import load_config
from agent.export import export
from agent.state import AgentState

TARGET = 0.4  # issue 23: a 1 % incremental push, end to end, ÷ pg_dump | psql


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--changed",
        type=float,
        nargs="+",
        default=[0, 1, 10],
        help="percentages of rows changed before each incremental (in order)",
    )
    c.add_background_arg(ap)
    args = ap.parse_args()
    c.header(
        "incremental floor: the agent's export by % changed vs pg_dump | psql",
        rows=args.rows,
        changed=args.changed,
        background=args.background,
    )
    from tests.servers import PostgresServer

    with tempfile.TemporaryDirectory() as tmp, c.started(PostgresServer()) as pg:
        import psycopg

        hub = c.HubKeyPair.generate()
        dsn = pg.create_database("shop")
        c.pg_items(dsn, args.rows)
        agent = c.make_agent(
            Path(tmp) / "agent",
            "bench-inc",
            dsn,
            [{**c.ITEMS_DATASET, "cursor": "updated_at"}],
            seal_b64=hub.seal_b64,
            signing_b64=hub.signing_b64,
        )
        cfg = load_config(agent.config_path)
        spent: list[float] = []
        ratios: dict[float, float] = {}
        read_incremental = detect.read_incremental

        def timed_read(*a: object, **k: object) -> object:
            start = time.perf_counter()
            try:
                return read_incremental(*a, **k)  # type: ignore[arg-type]
            finally:
                spent.append(time.perf_counter() - start)

        detect.read_incremental = timed_read  # type: ignore[assignment]
        with c.background(args.background), AgentState(cfg.agent.state_dir) as state:
            export(cfg, state, full=True).path.unlink()
            for step, pct in enumerate(args.changed):
                if pct:
                    with psycopg.connect(dsn, autocommit=True) as con:
                        con.execute(
                            "UPDATE items SET stock = stock + 1, updated_at = now() "
                            "WHERE (id * 7919 + %s) %% 10000 < %s",
                            (step, round(pct * 100)),
                        )
                anchor = c.pg_copy_anchors(pg, "shop", Path(tmp))["pg_dump | psql"]
                spent.clear()
                secs, result = c.timed(lambda: export(cfg, state))
                result.path.unlink()
                rows = result.manifest.datasets[0].rows
                ratios[pct] = secs / anchor
                print(
                    f"{pct:g} % changed ({rows:,} rows sent): agent export {secs:.2f} s = "
                    f"{secs / anchor:.2f}x of pg_dump | psql ({anchor:.2f} s); of it the changed "
                    f"rows' read {sum(spent):.2f} s, the key read and ledger the rest",
                    flush=True,
                )
        detect.read_incremental = read_incremental
    if 0 in ratios:
        above = ratios[0] > TARGET
        print(
            f"  with nothing changed the agent alone takes {ratios[0]:.2f}x: the design's floor is "
            f"{'above' if above else 'within'} the whole push's target ({TARGET}x: agent, upload "
            "and hub together)"
        )


if __name__ == "__main__":
    main()
