"""Back-office pages' p95 against a bare FastAPI + Jinja2 page, served the same way (issue 19,
acceptance 4: every new page's p95 <= 5x the bare page's, and under 300 ms).

A hub (SQLite, the embedded default) is filled with SQL to 1,000 resellers, 5,000
products, 100,000 orders (with lines and their audit trail), price lists, promotions,
three warehouses' stock, receipts, contacts, addresses and outbox messages. Then each
back-office page is requested in-process (Starlette's TestClient, signed in as the owner)
``--repeat`` times, interleaved with the baseline — a bare FastAPI app rendering a Jinja2
page with a 50-row table — so both see the same machine at the same moment.

Run: ``python bench/bench_backoffice.py [--resellers 1000] [--orders 100000] [--products 5000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import machine
from hub.audit.models import AuditEntry
from hub.catalog.models import PriceList, PriceListItem, Product, Promotion, ResellerGroup
from hub.core.db import utcnow
from hub.core.roles import Role
from hub.inventory.models import Bin, StockAdjustment, StockItem, StockReceipt
from hub.notifications.models import Contact, OutboxMessage
from hub.orders.models import Order, OrderLine
from hub.shipping.models import Region, ResellerAddress, Warehouse
from shared import keys as sk
from tests.hub.ingest.ingest_kit import ssh_line
from tests.hub.web.webkit import seed

STATES = (
    "awaiting_payment",
    "paid",
    "packed",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
    "expired",
)
BATCH = 5000
SSH, SIGN = ssh_line(), sk.public_b64(sk.generate_signing_key())


def _many(conn, model, rows) -> None:  # ANN001
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(model.__table__), rows[i : i + BATCH])


def generate(engine, resellers: int, products: int, orders: int) -> None:  # ANN001
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO resellers (id, name, ssh_public_key, signing_public_key, enabled, created_at, updated_at,"
                " legal_name, npwp, timezone, notes) VALUES (:id, :name, :ssh, :sign, 1, :now, :now, :name, '', 'Asia/Jakarta', '')"
            ),
            [
                {"id": f"b{n:04d}", "name": f"Toko {n}", "now": now, "ssh": SSH, "sign": SIGN}
                for n in range(resellers)
            ],
        )
        _many(
            conn,
            Region,
            [
                {"kode": k, "name": n, "name_norm": n.lower(), "level": lv, "parent_kode": p}
                for k, n, lv, p in (
                    ("32", "Jawa Barat", 1, None),
                    ("32.73", "Kota Bandung", 2, "32"),
                    ("35", "Jawa Timur", 1, None),
                    ("35.78", "Kota Surabaya", 2, "35"),
                )
            ],
        )
        _many(
            conn,
            Warehouse,
            [
                {
                    "code": c,
                    "name": f"Gudang {c}",
                    "region_kode": "32.73",
                    "address": "",
                    "active": True,
                }
                for c in ("BDG", "SBY", "JKT")
            ],
        )
        _many(
            conn,
            Product,
            [
                {
                    "sku": f"P{n:05d}",
                    "ean": None,
                    "name": f"Produk {n}",
                    "brand": "Merek",
                    "category": "umum",
                    "specs": {},
                    "options": {},
                    "list_price": 100000 + n,
                    "warranty_months": 0,
                    "pack_size": 1,
                    "active": True,
                    "discontinued": False,
                    "images": [],
                    "created_at": now,
                    "updated_at": now,
                    "weight_kg": 1,
                }
                for n in range(products)
            ],
        )
        _many(
            conn,
            ResellerGroup,
            [{"name": f"Grup {g}", "description": "", "active": True} for g in range(20)],
        )
        _many(
            conn,
            PriceList,
            [
                {
                    "name": f"Daftar {n}",
                    "reseller_id": None,
                    "group_id": (n % 20) + 1 if n else None,
                    "active": True,
                    "note": "",
                }
                for n in range(40)
            ],
        )
        _many(
            conn,
            PriceListItem,
            [
                {
                    "price_list_id": 1,
                    "product_id": p + 1,
                    "min_quantity": q,
                    "unit_price": 90000 + p,
                }
                for p in range(products)
                for q in (1, 10)
            ],
        )
        _many(
            conn,
            Promotion,
            [
                {
                    "name": f"Promo {n}",
                    "product_id": n + 1,
                    "reseller_id": None,
                    "group_id": None,
                    "percent_off": 5,
                    "fixed_price": None,
                    "min_quantity": 1,
                    "valid_from": now,
                    "valid_to": now + dt.timedelta(days=30),
                    "active": True,
                    "kind": "standard",
                    "days": 1,
                }
                for n in range(500)
            ],
        )
        _many(
            conn,
            StockItem,
            [
                {"product_id": p + 1, "on_hand": 300, "reserved": 10, "shipped": 0}
                for p in range(products)
            ],
        )
        _many(
            conn,
            Bin,
            [
                {
                    "warehouse_id": w,
                    "product_id": p + 1,
                    "on_hand": 100,
                    "reorder_point": (p % 7) * 20,
                    "reorder_up_to": 0,
                }
                for w in (1, 2, 3)
                for p in range(products)
            ],
        )
        _many(
            conn,
            StockReceipt,
            [
                {
                    "product_id": (n % products) + 1,
                    "quantity": 10,
                    "reference": f"SJ-{n}",
                    "received_by": "gudang",
                    "received_at": now,
                    "warehouse_id": (n % 3) + 1,
                    "reason": "purchase",
                    "note": "",
                }
                for n in range(20000)
            ],
        )
        _many(
            conn,
            StockAdjustment,
            [
                {
                    "warehouse_id": (n % 3) + 1,
                    "product_id": (n % products) + 1,
                    "quantity": -1,
                    "reason": "damaged",
                    "note": "",
                    "adjusted_by": "gudang",
                    "adjusted_at": now,
                }
                for n in range(5000)
            ],
        )
        _many(
            conn,
            Contact,
            [
                {
                    "reseller_id": f"b{n:04d}",
                    "name": f"Kontak {n}",
                    "email": f"k{n}@toko.test",
                    "whatsapp": "",
                    "roles": ",orders,payments,shipping,marketing,",
                    "email_opt_in": True,
                    "whatsapp_opt_in": False,
                    "locale": "id",
                    "active": True,
                }
                for n in range(resellers)
            ],
        )
        _many(
            conn,
            ResellerAddress,
            [
                {
                    "reseller_id": f"b{n:04d}",
                    "label": "Toko",
                    "recipient": "",
                    "phone": "",
                    "street": "Jl.",
                    "region_kode": "35.78",
                    "postal_code": "",
                    "is_default": True,
                }
                for n in range(resellers)
            ],
        )
        order_rows, line_rows, audit_rows, outbox_rows = [], [], [], []
        for n in range(orders):
            placed = now - dt.timedelta(minutes=n)
            state = STATES[n % len(STATES)]
            order_rows.append(
                {
                    "id": n + 1,
                    "reseller_id": f"b{n % resellers:04d}",
                    "state": state,
                    "source": "portal",
                    "currency": "IDR",
                    "subtotal": 500000,
                    "shipping_fee": 22000,
                    "shipping_courier": "JNE",
                    "shipping_service": "REG",
                    "shipping_note": "",
                    "unique_code": n % 999,
                    "paid_amount": 0 if state == "awaiting_payment" else 522000 + n % 999,
                    "pending_proofs": 0,
                    "payment_reference": f"REF{n:08d}",
                    "invoice_number": f"INV/2026/{n:06d}",
                    "waybill": f"JNE{n:08d}"
                    if state in ("shipped", "delivered", "completed")
                    else "",
                    "note": "",
                    "created_at": placed,
                    "placed_at": placed,
                    "payment_due_at": placed + dt.timedelta(days=7),
                    "updated_at": placed,
                }
            )
            line_rows.append(
                {
                    "order_id": n + 1,
                    "product_id": (n % products) + 1,
                    "sku": f"P{n % products:05d}",
                    "name": f"Produk {n % products}",
                    "quantity": 5,
                    "unit_price": 100000,
                    "price_rule": "",
                }
            )
            for action in ("order.create", "order.place", "order.request_payment"):
                audit_rows.append(
                    {
                        "at": placed,
                        "actor": "kasir",
                        "actor_role": "reseller",
                        "actor_user_id": None,
                        "reseller_id": f"b{n % resellers:04d}",
                        "action": action,
                        "entity": "order",
                        "entity_id": str(n + 1),
                        "before": None,
                        "after": {"state": state},
                    }
                )
            if n % 10 == 0:
                outbox_rows.append(
                    {
                        "reseller_id": f"b{n % resellers:04d}",
                        "channel": "email",
                        "recipient": f"k{n % resellers}@toko.test",
                        "template": "order_placed",
                        "locale": "id",
                        "payload": {"order_id": str(n + 1)},
                        "status": ("failed", "sent", "pending")[n % 3],
                        "attempts": 6,
                        "next_attempt_at": placed,
                        "last_error": "550 mailbox unavailable",
                        "created_at": placed,
                        "sent_at": None,
                    }
                )
        _many(conn, Order, order_rows)
        _many(conn, OrderLine, line_rows)
        _many(conn, AuditEntry, audit_rows)
        _many(conn, OutboxMessage, outbox_rows)
        conn.execute(text("ANALYZE"))


def bare_app():  # ANN201
    """A bare FastAPI + Jinja2 page: the floor of a server-rendered page served this way."""
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse
    from jinja2 import Environment

    env = Environment(autoescape=True)
    page = env.from_string(
        "<!doctype html><html><head><title>{{ title }}</title></head><body><h1>{{ title }}</h1>"
        "<table>{% for r in rows %}<tr><td>{{ r.id }}</td><td>{{ r.name }}</td><td>{{ r.price }}</td></tr>{% endfor %}</table></body></html>"
    )
    rows = [{"id": n, "name": f"Produk {n}", "price": f"Rp {n * 1000:,}"} for n in range(50)]
    app = FastAPI()

    @app.get("/bare")
    def bare() -> HTMLResponse:
        return HTMLResponse(page.render(title="Bare", rows=rows))

    return app


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


PAGES = (
    "/master",
    "/orders",
    "/orders?tab=all",
    "/orders?tab=shipped&page=20",
    "/orders?tab=all&q=b0042",
    "/orders/50000",
    "/resellers",
    "/resellers?q=toko%2099",
    "/resellers/new",
    "/resellers/b0500/profile",
    "/reseller-groups",
    "/price-lists",
    "/price-lists/1",
    "/price-list-items?price_list=Daftar%200",
    "/price-list-items/new",
    "/promotions",
    "/promotions/new",
    "/warehouses",
    "/reseller-addresses?reseller=b0500",
    "/contacts",
    "/contacts/new",
    "/stock",
    "/stock?warehouse=SBY&low=true",
    "/stock?q=P0420",
    "/stock-receipts",
    "/stock-receipts/new",
    "/stock-adjustments",
    "/stock-receipts/import",
    "/rate-cards",
    "/regions",
    "/notifications",
    "/notifications?status=sent",
    "/notifications/templates",
    "/audit",
    "/audit?entity=order&entity_id=42",
    "/users",
    "/catalog/matching",
)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--resellers", type=int, default=1000)
    ap.add_argument("--products", type=int, default=5000)
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    from fastapi.testclient import TestClient

    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        hub = seed(Path(tmp))
        generate(hub.app.state.hub.engine, args.resellers, args.products, args.orders)
        print(
            f"generated {args.resellers:,} resellers, {args.products:,} products, {args.orders:,} orders in {time.perf_counter() - t0:.1f} s"
        )
        owner = hub.client(Role.OWNER)
        bare = TestClient(bare_app())
        gc.collect()  # what the app's lifespan does at start-up (TestClient here runs no lifespan)
        gc.freeze()
        worst_ratio, worst_ms, rows = 0.0, 0.0, []
        for path in PAGES:
            r = owner.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[-300:])
            assert bare.get("/bare").status_code == 200
            ours, floor = [], []
            for _ in range(args.repeat):  # interleaved: both see the same moment of the machine
                start = time.perf_counter()
                owner.get(path)
                ours.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                bare.get("/bare")
                floor.append((time.perf_counter() - start) * 1000)
            ratio = p95(ours) / p95(floor)
            worst_ratio, worst_ms = max(worst_ratio, ratio), max(worst_ms, p95(ours))
            rows.append((path, statistics.median(ours), p95(ours), p95(floor), ratio))
        print(f"{'page':48} {'p50 ms':>8} {'p95 ms':>8} {'bare p95':>9} {'ratio':>6}")
        for path, p50, ours95, bare95, ratio in rows:
            print(
                f"{path:48} {p50:8.1f} {ours95:8.1f} {bare95:9.2f} {ratio:6.1f}{'  OVER' if ratio > 5 else ''}"
            )
        print(
            f"worst ratio {worst_ratio:.1f}x (target <= 5x: {'MET' if worst_ratio <= 5 else 'NOT MET'}), "
            f"worst p95 {worst_ms:.1f} ms (target < 300 ms: {'MET' if worst_ms < 300 else 'NOT MET'})"
        )


if __name__ == "__main__":
    main()
