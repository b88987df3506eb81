"""Issue #16's sync benchmarks, each against its baseline in the same run (PostgreSQL source).

1. **Row hash**: an incremental of a table with 1 % of its rows changed, found by row hash
   (`mode = "rowhash"`: the whole table read and compared with the ledger), vs a full sealed
   export of the same table (`mode = "full"`), both as `syncagent export` processes, interleaved.
   Targets: time <= 1.5x the full export; snapshot <= 3 % of the full one.
2. **Key-set reconciliation**: 10 rows deleted and nothing else, end to end (`syncagent push` as
   a process -> real OpenSSH sshd -> the hub's ingest on PostgreSQL commits), for a cursor dataset
   (the key and cursor columns read and compared with the key ledger) and a row-hash one, vs the
   same table's full snapshot end to end (`push --full`). Target: <= 0.5x. Needs root (sshd).

    python bench/bench_sync_modes.py            # 1,000,000 rows
    python bench/bench_sync_modes.py --quick    # 100,000 rows
    python bench/bench_sync_modes.py --only rowhash|reconcile
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common as c
from bench_end_to_end import HubUnderTest, push

SYNCAGENT = str(Path(sys.executable).parent / "syncagent")


def export(agent: c.AgentFolder) -> tuple[float, int]:
    """One `syncagent export` process: (wall seconds, bytes of the sealed snapshot it wrote)."""
    outbox = agent.dir / "state" / "outbox"
    before = set(outbox.glob("*.snap")) if outbox.exists() else set()
    t = time.perf_counter()
    c.run_quiet([SYNCAGENT, "-c", str(agent.config_path), "export"], cwd=agent.dir)
    took = time.perf_counter() - t
    (new,) = set(outbox.glob("*.snap")) - before
    size = new.stat().st_size
    new.unlink()  # nothing delivers them here; keep the disk small
    return took, size


def change_one_percent(dsn: str, round_: int) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:  # no cursor moves: only content changes
        con.execute("UPDATE items SET stock = stock + 1 WHERE id %% 100 = %s", (round_ % 100,))


def delete_ten(dsn: str, round_: int) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(
            "DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY id OFFSET %s LIMIT 10)",
            (round_ * 997,),
        )


def bench_rowhash(pg: object, tmp: Path, rows: int, rounds: int) -> None:
    from shared import keys as sk

    shop = pg.create_database("shop_rowhash")  # type: ignore[attr-defined]
    c.pg_items(shop, rows)
    seal, sign = sk.generate_sealing_key(), sk.generate_signing_key()
    agents = {
        mode: c.make_agent(
            tmp / mode,
            f"bench-{mode}",
            shop,
            [{**c.ITEMS_DATASET, "mode": mode}],
            seal_b64=sk.public_b64(seal),
            signing_b64=sk.public_b64(sign),
        )
        for mode in ("full", "rowhash")
    }
    export(agents["rowhash"])  # its first snapshot is full and builds the ledger
    full_t, full_b, inc_t, inc_b = [], [], [], []
    for r in range(1, rounds + 1):
        change_one_percent(shop, r)
        t, b = export(agents["full"])
        full_t.append(t), full_b.append(b)
        t, b = export(agents["rowhash"])
        inc_t.append(t), inc_b.append(b)
        print(
            f"  round {r}: full {full_t[-1]:.2f} s {full_b[-1]:,} B; row hash {inc_t[-1]:.2f} s {inc_b[-1]:,} B"
        )
    ft, it = statistics.median(full_t), statistics.median(inc_t)
    fb, ib = statistics.median(full_b), statistics.median(inc_b)
    met_t, met_b = it <= 1.5 * ft, ib <= 0.03 * fb
    print(
        f"row-hash incremental, 1 % of {rows:,} rows changed: {it:.2f} s vs full sealed export "
        f"{ft:.2f} s -> {it / ft:.2f}x (target <= 1.5x: {'MET' if met_t else 'MISSED'}); "
        f"{ib:,.0f} B vs {fb:,.0f} B -> {100 * ib / fb:.2f} % (target <= 3 %: {'MET' if met_b else 'MISSED'})"
    )


def bench_reconcile(pg: object, tmp: Path, rows: int, rounds: int) -> None:
    from tests.servers import SshdServer

    with c.started(SshdServer()) as sshd:
        hub = HubUnderTest(sshd.base, pg.create_database("hub"), 600)  # type: ignore[attr-defined]
        for mode, dataset in (
            ("cursor", {**c.ITEMS_DATASET, "cursor": "updated_at"}),
            ("rowhash", {**c.ITEMS_DATASET, "mode": "rowhash"}),
        ):
            shop = pg.create_database(f"shop_e2e_{mode}")  # type: ignore[attr-defined]
            c.pg_items(shop, rows)
            rid = f"bench-{mode}"
            agent = hub.agent_over_sshd(sshd, tmp / rid, rid, shop, [dataset])
            seq = 1
            push(agent, hub, seq)  # initial load, not timed
            full, recon = [], []
            for r in range(1, rounds + 1):
                seq += 1
                full.append(push(agent, hub, seq, "--full")["total"])
                delete_ten(shop, r)
                seq += 1
                recon.append(push(agent, hub, seq)["total"])
                print(
                    f"  {mode} round {r}: full snapshot {full[-1]:.2f} s; 10 deletes {recon[-1]:.2f} s"
                )
            f, k = statistics.median(full), statistics.median(recon)
            print(
                f"key-set reconciliation ({mode}), 10 deletes in {rows:,} rows, end to end: {k:.2f} s "
                f"vs full snapshot {f:.2f} s -> {k / f:.2f}x (target <= 0.5x: "
                f"{'MET' if k <= 0.5 * f else 'MISSED'})"
            )
        hub.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 rows")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", choices=("rowhash", "reconcile"))
    args = ap.parse_args()
    rows = 100_000 if args.quick else args.rows
    c.header(
        "sync modes: row hash vs full export; key-set reconciliation vs full snapshot", rows=rows
    )
    from tests.servers import PostgresServer

    with tempfile.TemporaryDirectory(prefix="bench-sync-") as d, c.started(PostgresServer()) as pg:
        if args.only in (None, "rowhash"):
            bench_rowhash(pg, Path(d), rows, args.rounds)
        if args.only in (None, "reconcile"):
            bench_reconcile(pg, Path(d), rows, args.rounds)


if __name__ == "__main__":
    main()
