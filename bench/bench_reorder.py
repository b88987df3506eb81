"""Reorder suggestions over 5,000 products × 1,000 resellers' sell-through, against the nightly
offer run on the same data, in the same run (issue #21: reorder ≤ 1× the offer run).

Data: ``bench_offers.generate`` (1,000 resellers in 34 provinces, 300 products each with 90
days of sparse daily sales and stock — the merged facts both read), plus what purchasing
adds: hub stock for every product, 5 suppliers supplying every product (one preferred per
product, order multiples), 300 open purchase order lines, 200 accepted offers, low-stock
levels for 500 products in 2 warehouses. Timed: ``hub.purchasing.replenish.plan`` (the
reorder suggestion, what the API and page call) and ``hub.offers.service.compute`` (the
nightly offer run), interleaved, each on its own transaction, rolled back.

    .venv/bin/python bench/bench_reorder.py [--resellers 1000] [--products 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine
from bench_offers import AT, generate
from sqlalchemy import insert, update

from hub.core.db import make_engine, session_factory
from hub.core.migrate import upgrade
from hub.inventory.models import Bin, StockItem
from hub.offers.models import Offer
from hub.offers.service import compute
from hub.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierProduct,
)
from hub.purchasing.reorder import Policy
from hub.purchasing.replenish import plan
from hub.shipping.models import Warehouse


def add_purchasing(factory, products: int, seed: int = 21) -> None:  # ANN001
    rnd = random.Random(seed)
    with factory() as s, s.begin():
        s.add_all(
            [Warehouse(id=w, code=f"W{w}", name=f"Gudang {w}", region_kode="31.71") for w in (1, 2)]
        )
        s.execute(
            insert(StockItem),
            [
                {"product_id": p, "on_hand": rnd.randint(0, 400), "reserved": 0, "shipped": 0}
                for p in range(1, products + 1)
            ],
        )
        s.execute(update(StockItem).values(reserved=StockItem.on_hand / 10))
        s.execute(
            insert(Bin),
            [
                {
                    "warehouse_id": 1 + p % 2,
                    "product_id": p,
                    "on_hand": 0,
                    "reorder_point": 20,
                    "reorder_up_to": 60,
                }
                for p in rnd.sample(range(1, products + 1), 500)
            ],
        )
        s.add_all(
            [
                Supplier(
                    id=n, code=f"SUP{n}", legal_name=f"PT Pemasok {n}", lead_time_days=5 + 3 * n
                )
                for n in range(1, 6)
            ]
        )
        s.flush()
        s.execute(
            insert(SupplierProduct),
            [
                {
                    "supplier_id": n,
                    "product_id": p,
                    "supplier_code": f"S{n}-{p}",
                    "unit_cost": Decimal(1000 + rnd.randint(0, 500)),
                    "min_order_qty": rnd.choice((1, 10)),
                    "order_multiple": rnd.choice((1, 6, 12)),
                    "lead_time_days": None,
                    "preferred": n == 1 + p % 5,
                }
                for p in range(1, products + 1)
                for n in range(1, 6)
            ],
        )
        for n in range(1, 31):
            po = PurchaseOrder(
                number=f"PO-B-{n:05d}", supplier_id=1 + n % 5, warehouse_id=1, state="sent"
            )
            s.add(po)
            s.flush()
            s.execute(
                insert(PurchaseOrderLine),
                [
                    {
                        "order_id": po.id,
                        "product_id": p,
                        "supplier_code": "",
                        "quantity": 50,
                        "unit_cost": Decimal(1000),
                        "received": 10,
                    }
                    for p in rnd.sample(range(1, products + 1), 10)
                ],
            )
        s.execute(
            insert(Offer),
            [
                {
                    "reseller_id": f"r{rnd.randrange(1000):04d}",
                    "product_id": rnd.randint(1, products),
                    "kind": "replenishment",
                    "status": "accepted",
                    "quantity": 12,
                    "unit_price": Decimal(1000),
                    "price_rule": "bench",
                    "numbers": {},
                    "reason": "bench",
                    "valid_from": AT,
                    "valid_to": AT,
                    "created_at": AT,
                    "order_id": None,
                }
                for _ in range(200)
            ],
        )


def timed(factory, work) -> tuple[float, object]:  # ANN001
    with factory() as s:
        s.begin()
        t0 = time.perf_counter()
        out = work(s)
        elapsed = time.perf_counter() - t0
        s.rollback()
    return elapsed, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resellers", type=int, default=1000)
    ap.add_argument("--products", type=int, default=5000)
    ap.add_argument("--carried", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(machine())
    folder = Path(tempfile.mkdtemp(prefix="bench-reorder-"))
    engine = make_engine(f"sqlite:///{folder / 'hub.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    t0 = time.perf_counter()
    rows = generate(factory, args.resellers, args.products, args.carried)
    add_purchasing(factory, args.products)
    print(
        f"generated {rows:,} daily sales rows and the purchasing data in {time.perf_counter() - t0:.1f}s"
    )
    offers, reorder = [], []
    lines = offers_made = 0
    for n in range(args.rounds):
        e, summary = timed(factory, lambda s: compute(s, at=AT))
        offers.append(e)
        offers_made = summary.total  # type: ignore[attr-defined]
        e, p = timed(factory, lambda s: plan(s, at=AT, policy=Policy()))
        reorder.append(e)
        lines = len(p.lines) + len(p.unsourced)  # type: ignore[attr-defined]
        print(
            f"round {n + 1}: offer run {offers[-1]:.2f} s ({offers_made:,} offers), reorder {reorder[-1]:.2f} s ({lines:,} lines)"
        )
    o, r = statistics.median(offers), statistics.median(reorder)
    print(
        f"median: nightly offer run {o:.2f} s, reorder suggestion {r:.2f} s -> ratio {r / o:.3f} "
        f"(target <= 1): {'MET' if r <= o else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
