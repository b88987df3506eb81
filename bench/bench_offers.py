"""Nightly offer run for 1,000 resellers × 5,000 products of history (target: under 2 minutes).

Synthetic data: 5,000 catalog products in one general price list, 1,000
resellers in 34 provinces, each carrying 300 products with 90 days of sales
history (sparse daily rows) and stock; hub stock for every product. Only
``hub.offers.service.compute`` is timed (facts are what ingest maintains).

    /work/venv/bin/python bench/bench_offers.py [--resellers 1000] [--products 5000] [--db PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.db import make_engine, session_factory
from hub.core.migrate import upgrade
from hub.offers.models import SalesDaily, StockFact
from hub.offers.service import compute
from hub.resellers.models import Reseller

AT = dt.datetime(2024, 7, 1, 2, 0, tzinfo=dt.timezone.utc)


def generate(factory, resellers: int, products: int, carried: int, seed: int = 5) -> int:
    rnd = random.Random(seed)
    with factory() as s, s.begin():
        s.execute(
            insert(Product),
            [
                {
                    "sku": f"SKU-{i:05d}",
                    "name": f"Product {i}",
                    "brand": "",
                    "category": "c",
                    "specs": {},
                    "options": {},
                    "list_price": Decimal(1000 + i),
                    "images": [],
                    "warranty_months": 0,
                    "pack_size": rnd.choice((1, 6, 12)),
                    "active": True,
                    "discontinued": i % 97 == 0,
                }
                for i in range(1, products + 1)
            ],
        )
        pl = PriceList(name="general")
        s.add(pl)
        s.flush()
        s.execute(
            insert(PriceListItem),
            [
                {
                    "price_list_id": pl.id,
                    "product_id": i,
                    "min_quantity": 1,
                    "unit_price": Decimal(900 + i),
                }
                for i in range(1, products + 1)
            ],
        )
        now = dt.datetime.now(dt.timezone.utc)
        s.execute(
            insert(Reseller),
            [
                {
                    "id": f"r{n:04d}",
                    "name": f"Toko {n}",
                    "region_code": f"{11 + n % 34}.01",
                    "ssh_public_key": "ssh-ed25519 AAAA",
                    "signing_public_key": "x" * 44,
                    "enabled": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(resellers)
            ],
        )
    rows = 0
    start = AT.date() - dt.timedelta(days=90)
    for n in range(resellers):
        rid = f"r{n:04d}"
        pids = rnd.sample(range(1, products + 1), carried)
        sales, stock = [], []
        for pid in pids:
            for day in rnd.sample(range(90), 6):
                sales.append(
                    {
                        "reseller_id": rid,
                        "product_id": pid,
                        "day": start + dt.timedelta(days=day),
                        "quantity": rnd.randint(1, 20),
                    }
                )
            stock.append({"reseller_id": rid, "product_id": pid, "on_hand": rnd.randint(-2, 60)})
        with factory() as s, s.begin():
            s.execute(insert(SalesDaily), sales)
            s.execute(insert(StockFact), stock)
        rows += len(sales)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resellers", type=int, default=1000)
    ap.add_argument("--products", type=int, default=5000)
    ap.add_argument("--carried", type=int, default=300)
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-offers-"))
    engine = make_engine(f"sqlite:///{args.db or folder / 'hub.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    t0 = time.perf_counter()
    rows = generate(factory, args.resellers, args.products, args.carried)
    print(f"generated {rows:,} daily sales rows in {time.perf_counter() - t0:.1f}s")
    stock = {i: 500 for i in range(1, args.products + 1)}
    t0 = time.perf_counter()
    with factory() as s, s.begin():
        summary = compute(s, at=AT, hub_stock=lambda _s: stock)
    elapsed = time.perf_counter() - t0
    print(
        f"nightly run: {args.resellers} resellers, {summary.total:,} offers {summary.offers}, "
        f"{summary.unpriced} unpriced, in {elapsed:.1f}s (target < 120s): {'OK' if elapsed < 120 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
