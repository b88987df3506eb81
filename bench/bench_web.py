"""Web pages' p95 latency with 200 resellers and 1M merged rows (issue 4, acceptance 6; target < 300 ms).

Data is generated directly with SQL into each reseller's current table of
``products`` (:mod:`hub.merge.tables`, plus the small bookkeeping tables), then every page is requested in-process as the owner and a
reseller user. Run: ``python bench/bench_web.py [--resellers 200] [--rows 1000000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.core.db import utcnow
from hub.core.roles import Role
from hub.merge import tables
from shared.types import Column, PortableType
from tests.hub.web.webkit import seed

COLUMNS = [
    Column("id", PortableType.INTEGER, False),
    Column("name", PortableType.TEXT),
    Column("price", PortableType.DECIMAL),
    Column("stock", PortableType.INTEGER),
]


def generate(factory, resellers: int, rows: int) -> None:
    per = rows // resellers
    now = utcnow()
    cols = json.dumps([c.to_dict() for c in COLUMNS])
    layout = json.dumps([c.name for c in COLUMNS])
    with factory() as s, s.begin():
        for n in range(resellers):
            rid = f"b{n:03d}"
            s.execute(
                text(
                    "INSERT INTO resellers (id, name, ssh_public_key, signing_public_key, enabled, created_at, "
                    "updated_at) VALUES (:id, :name, 'k', 'k', 1, :now, :now)"
                ),
                {"id": rid, "name": f"Toko {n}", "now": now},
            )
            for seq in range(1, 31):  # a month of nightly snapshots
                at = now - dt.timedelta(days=31 - seq, hours=n % 30)
                s.execute(
                    text(
                        "INSERT INTO snapshots (reseller_id, sequence, kind, file_name, file_sha256, file_bytes, status, "
                        "received_at, applied_at, rows, agent_version, source_created_at, attempts) VALUES "
                        "(:r, :q, 'incremental', :f, :h, 1000, :st, :at, :ap, :rows, 'syncagent 0.1', :src, 1)"
                    ),
                    {
                        "r": rid,
                        "q": seq,
                        "f": f"{rid}-{seq}",
                        "h": f"{rid}-{seq}-".ljust(64, "0"),
                        "st": "quarantined" if seq == 30 and n % 10 == 0 else "applied",
                        "at": at,
                        "ap": at + dt.timedelta(minutes=2),
                        "rows": per + seq,
                        "src": at - dt.timedelta(minutes=5),
                    },
                )
            last = s.execute(
                text("SELECT max(id) FROM snapshots WHERE reseller_id=:r AND status='applied'"),
                {"r": rid},
            ).scalar()
            s.execute(
                text(
                    "INSERT INTO reseller_sync (reseller_id, last_applied_sequence, last_full_sequence, "
                    "last_success_at, last_snapshot_id) VALUES (:r, 29, 1, :at, :id)"
                ),
                {"r": rid, "at": now - dt.timedelta(hours=(n % 40)), "id": last},
            )
            s.execute(
                text(
                    "INSERT INTO dataset_schemas (reseller_id, dataset, version, columns, key, layout, changes, "
                    "snapshot_id, valid_from, first_seen_at) VALUES (:r, 'products', 1, :c, '[\"id\"]', :l, '', "
                    ":s, :at, :at)"
                ),
                {"r": rid, "c": cols, "l": layout, "s": last, "at": now - dt.timedelta(days=40)},
            )
            s.execute(
                text(
                    "INSERT INTO merged_datasets (reseller_id, dataset, schema_version, last_snapshot_id, "
                    "last_source_at, last_received_at, current_rows) "
                    "VALUES (:r, 'products', 1, :s, :at, :at, :n)"
                ),
                {"r": rid, "s": last, "at": now, "n": per},
            )
            names = tables.of(rid, "products")
            tables.create(s, names, len(COLUMNS), [0])
            s.execute(
                text(
                    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < :per) "
                    f"INSERT INTO {names.current} (c0, c1, c2, c3, valid_from, snapshot_id, received_at) "
                    "SELECT CAST(i AS TEXT), 'Product ' || i, printf('%d.50', i % 1000), "
                    "CAST(i % 97 AS TEXT), :vf, :s, :vf FROM k"
                ),
                {"per": per, "r": rid, "s": last, "vf": now - dt.timedelta(days=40)},
            )


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--resellers", type=int, default=200)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        hub = seed(Path(tmp))
        generate(hub.app.state.hub.session_factory, args.resellers, args.rows)
        print(
            f"generated {args.resellers} resellers, {args.rows:,} merged rows in {time.perf_counter() - t0:.1f} s"
        )
        owner, reseller = hub.client(Role.OWNER), hub.client(Role.RESELLER, "r1")
        pages = [
            (owner, p)
            for p in (
                "/dashboard",
                "/quarantine",
                "/resellers/b100",
                "/data",
                "/data/b100?dataset=products",
                "/data/b100?dataset=products&page=50",
                "/data/b100?dataset=products&as_of=2099-01-01",
                "/audit",
                "/users",
                "/api/v1/resellers/b100/datasets/products/rows?limit=100",
                "/api/v1/snapshots",
                "/api/v1/resellers",
            )
        ]
        pages += [(reseller, "/portal"), (reseller, "/data/r1?dataset=products")]
        worst = 0.0
        print(f"{'page':60} {'p50 ms':>8} {'p95 ms':>8}")
        for client, path in pages:
            assert client.get(path).status_code == 200, path
            samples = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
            worst = max(worst, p95(samples))
            print(f"{path:60} {statistics.median(samples):8.1f} {p95(samples):8.1f}")
        print(
            f"worst p95: {worst:.1f} ms (target < 300 ms): {'OK' if worst < 300 else 'OVER TARGET'}"
        )


if __name__ == "__main__":
    main()
