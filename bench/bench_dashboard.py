"""The director's dashboard over 1,000,000 order lines and 1,000 resellers on PostgreSQL, against
the same aggregates written as plain SQL, in the same run (issue #22 acceptance 5: p95 ≤ 3×).

Data (COPY into a fresh database): 1,000 resellers in 34 provinces and 10 groups (each in one
or two), 2,000 products in 12 categories (90 % costed at a moving average), 250,000 orders over
13 months (the dashboard's month and the twelve before it, for the trend), four lines each;
90 % paid in full by a confirmed transfer and shipped (an ``order.ship`` audit entry the next
day), 5 % cancelled, 5 % awaiting payment.

Timed, interleaved, each on its own transaction: ``hub.reports.dashboard.build`` (what
``/reports/dashboard`` renders) and the plain SQL (hand-written, through the DB-API cursor,
no ORM): sales for 13 months by month, the month's top 8 by reseller, group, product,
category and region, the month's order totals, receivables outstanding by age, each
product's last receipt and shipment (ageing stock) and the stock value. The dashboard also
reads low stock, warranty, sync health and offers, which are empty here.

    .venv/bin/python bench/bench_dashboard.py [--lines 1000000] [--resellers 1000] [--rounds 7] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine

from hub.core.db import make_engine, session_factory
from hub.core.migrate import upgrade
from hub.periods.calendar import Period
from hub.reports import dashboard
from tests.servers import PostgresServer

UTC = dt.timezone.utc
MONTH = Period.month(2026, 1)
START = dt.datetime(2024, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2025, 00:00 WIB
END = dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC)  # 1 February 2026, 00:00 WIB
NOW = dt.datetime(2026, 1, 31, 10, 0, tzinfo=UTC)

PLAIN = {
    "sales by month": """
        SELECT to_char(o.placed_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM') AS m,
               count(DISTINCT o.id), sum(l.quantity), sum(l.quantity * l.unit_price),
               sum(CASE WHEN l.price_rule LIKE 'promotion %%' THEN l.quantity * l.unit_price END),
               sum(round(l.quantity * c.average_cost, 2)),
               sum(CASE WHEN c.average_cost IS NULL THEN l.quantity * l.unit_price END)
        FROM order_lines l JOIN orders o ON o.id = l.order_id
        LEFT JOIN purchasing_costs c ON c.product_id = l.product_id
        WHERE o.placed_at >= %(from13)s AND o.placed_at < %(end)s
          AND o.state NOT IN ('cancelled', 'expired', 'draft')
        GROUP BY m ORDER BY m""",
    "order totals": """
        SELECT count(*) FILTER (WHERE state NOT IN ('cancelled', 'expired')),
               sum(shipping_fee) FILTER (WHERE state NOT IN ('cancelled', 'expired')),
               count(*) FILTER (WHERE state IN ('cancelled', 'expired'))
        FROM orders WHERE placed_at >= %(start)s AND placed_at < %(end)s""",
    "receivables by age": """
        SELECT o.reseller_id,
               CASE WHEN o.payment_due_at IS NULL OR o.payment_due_at >= %(end)s THEN 'current'
                    WHEN o.payment_due_at >= %(end)s - interval '30 days' THEN '1-30'
                    WHEN o.payment_due_at >= %(end)s - interval '60 days' THEN '31-60'
                    ELSE 'older' END AS bucket,
               sum(o.subtotal + o.shipping_fee + o.unique_code - coalesce(p.paid, 0))
        FROM orders o LEFT JOIN (
            SELECT order_id, sum(received_amount) AS paid FROM payment_confirmations
            WHERE status = 'confirmed' AND transfer_date <= %(last_day)s GROUP BY order_id
        ) p ON p.order_id = o.id
        WHERE o.placed_at < %(end)s AND o.state NOT IN ('cancelled', 'expired', 'draft')
          AND o.subtotal + o.shipping_fee + o.unique_code > coalesce(p.paid, 0)
        GROUP BY 1, 2""",
    "last shipment by product": """
        SELECT l.product_id, max(a.at)
        FROM order_lines l JOIN orders o ON o.id = l.order_id
        JOIN audit_log a ON a.entity = 'order' AND a.action = 'order.ship'
             AND a.entity_id = CAST(o.id AS varchar)
        GROUP BY l.product_id""",
    "last receipt by product": """
        SELECT product_id, max(received_at) FROM inventory_receipts GROUP BY product_id""",
    "stock on hand": "SELECT product_id, on_hand FROM inventory_stock WHERE on_hand > 0",
    "stock value": """
        SELECT sum(round(s.on_hand * c.average_cost, 2))
        FROM inventory_stock s JOIN purchasing_costs c ON c.product_id = s.product_id""",
}
TOP_BY = {
    "reseller": ("o.reseller_id", ""),
    "group": (
        "coalesce(g.group_id, 0)",
        "LEFT JOIN catalog_reseller_group_members g ON g.reseller_id = o.reseller_id",
    ),
    "product": ("l.product_id", ""),
    "category": ("p.category", "JOIN catalog_products p ON p.id = l.product_id"),
    "region": (
        "coalesce(substr(r.region_code, 1, 2), '')",
        "JOIN resellers r ON r.id = o.reseller_id",
    ),
}
for by, (key, join) in TOP_BY.items():
    PLAIN[f"top {by}"] = f"""
        SELECT {key} AS k, count(DISTINCT o.id), sum(l.quantity),
               sum(l.quantity * l.unit_price) AS revenue,
               sum(round(l.quantity * c.average_cost, 2))
        FROM order_lines l JOIN orders o ON o.id = l.order_id {join}
        LEFT JOIN purchasing_costs c ON c.product_id = l.product_id
        WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s
          AND o.state NOT IN ('cancelled', 'expired', 'draft')
        GROUP BY k ORDER BY revenue DESC, k LIMIT 8"""


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> int:  # ANN001: psycopg cursor
    """COPY ``rows`` into ``table``; the columns not given get the model's Python-side default."""
    from hub.core.db import Base

    rest = []
    for col in Base.metadata.tables[table].columns:
        if col.name in columns or col.default is None or col.primary_key:
            continue
        arg = col.default.arg  # type: ignore[attr-defined]
        rest.append((col.name, arg))
    names = (*columns, *(name for name, _ in rest))
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            extra = [arg(None) if callable(arg) else arg for _, arg in rest]
            copy.write_row((*row, *(_json(v) for v in extra)))
            n += 1
    return n


def _json(value):  # ANN001, ANN202
    import json

    return json.dumps(value) if isinstance(value, (dict, list)) else value


def generate(dsn: str, lines: int, resellers: int, seed: int = 22) -> None:
    import psycopg

    rnd = random.Random(seed)
    products, orders = 2000, math.ceil(lines / 4)
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBench bench"
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        _copy(
            cur,
            "shipping_regions",
            ("kode", "name", "name_norm", "level"),
            ((f"{p:02d}", f"PROVINSI {p}", f"provinsi {p}", 1) for p in range(11, 45)),
        )
        rids = [f"r{n:04d}" for n in range(resellers)]
        _copy(
            cur,
            "resellers",
            ("id", "name", "region_code", "ssh_public_key", "signing_public_key", "enabled"),
            (
                (r, f"Toko {r}", f"{11 + n % 34:02d}.01", key, "0" * 64, True)
                for n, r in enumerate(rids)
            ),
        )
        _copy(
            cur, "catalog_reseller_groups", ("id", "name"), ((g, f"Grup {g}") for g in range(1, 11))
        )
        members = {(r, 1 + n % 10) for n, r in enumerate(rids)}
        members |= {(r, 1 + (n * 7) % 10) for n, r in enumerate(rids) if n % 3 == 0}
        _copy(cur, "catalog_reseller_group_members", ("reseller_id", "group_id"), sorted(members))
        prices = {p: 10_000 * rnd.randint(5, 500) for p in range(1, products + 1)}
        _copy(
            cur,
            "catalog_products",
            ("id", "sku", "name", "category", "list_price", "specs", "options", "images"),
            (
                (
                    p,
                    f"SKU-{p:05d}",
                    f"Barang {p}",
                    f"Kategori {p % 12}",
                    prices[p],
                    "{}",
                    "{}",
                    "[]",
                )
                for p in prices
            ),
        )
        _copy(
            cur,
            "purchasing_costs",
            ("product_id", "average_cost", "updated_at"),
            ((p, round(v * 0.7, 4), START) for p, v in prices.items() if p % 10),
        )
        _copy(
            cur,
            "inventory_stock",
            ("product_id", "on_hand", "reserved", "shipped"),
            ((p, rnd.randint(0, 300), 0, 0) for p in prices),
        )
        span = (END - START).total_seconds()
        order_rows, line_rows, pay_rows, ships = [], [], [], []
        for o in range(1, orders + 1):
            placed = START + dt.timedelta(seconds=rnd.random() * span)
            pick = rnd.random()
            state = (
                "cancelled" if pick < 0.05 else "awaiting_payment" if pick < 0.10 else "completed"
            )
            rid = rids[rnd.randrange(resellers)]
            subtotal = 0
            for _ in range(4):
                p = rnd.randint(1, products)
                q = rnd.randint(1, 5)
                promo = "promotion Bench" if rnd.random() < 0.1 else ""
                line_rows.append((o, p, f"SKU-{p:05d}", f"Barang {p}", q, prices[p], promo))
                subtotal += q * prices[p]
            due = placed + dt.timedelta(days=7)
            order_rows.append(
                (
                    o,
                    rid,
                    state,
                    "web",
                    subtotal,
                    15_000,
                    o % 1000,
                    placed,
                    due,
                    f"INV-{o:07d}",
                    placed,
                    placed,
                )
            )
            if state == "completed":
                ships.append((placed + dt.timedelta(days=1), "ops", "order.ship", "order", str(o)))
                amount = subtotal + 15_000 + o % 1000
                pay_rows.append(
                    (
                        o,
                        rid,
                        f"INV-{o:07d}",
                        "BCA",
                        "Toko",
                        (placed + dt.timedelta(days=2)).date(),
                        amount,
                        amount,
                        "p",
                        "application/pdf",
                        1,
                        "confirmed",
                    )
                )
        _copy(
            cur,
            "orders",
            (
                "id",
                "reseller_id",
                "state",
                "source",
                "subtotal",
                "shipping_fee",
                "unique_code",
                "placed_at",
                "payment_due_at",
                "invoice_number",
                "created_at",
                "updated_at",
            ),
            order_rows,
        )
        _copy(
            cur,
            "order_lines",
            ("order_id", "product_id", "sku", "name", "quantity", "unit_price", "price_rule"),
            line_rows,
        )
        _copy(
            cur,
            "payment_confirmations",
            (
                "order_id",
                "reseller_id",
                "invoice_number",
                "bank",
                "account_holder",
                "transfer_date",
                "amount",
                "received_amount",
                "proof_name",
                "proof_type",
                "proof_size",
                "status",
            ),
            pay_rows,
        )
        _copy(cur, "audit_log", ("at", "actor", "action", "entity", "entity_id"), ships)
        for table in ("orders", "order_lines", "payment_confirmations", "catalog_products"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")


def plain(conn) -> dict[str, list[tuple]]:  # ANN001: a psycopg connection
    start, end = MONTH.utc_bounds()
    params = {
        "start": start,
        "end": end,
        "from13": Period.month(2025, 1).utc_bounds()[0],
        "last_day": MONTH.last_day,
    }
    out = {}
    with conn.transaction(), conn.cursor() as cur:
        for name, sql in PLAIN.items():
            cur.execute(sql, params)
            out[name] = cur.fetchall()
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    import psycopg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--resellers", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="20,000 lines, 100 resellers, 3 rounds")
    args = ap.parse_args()
    if args.quick:
        args.lines, args.resellers, args.rounds = 20_000, 100, 3
    print(machine())
    pg = PostgresServer().start()
    try:
        dsn = pg.create_database()
        engine = make_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
        upgrade(engine)
        t0 = time.perf_counter()
        generate(dsn, args.lines, args.resellers)
        print(
            f"generated {args.lines:,} order lines, {args.resellers:,} resellers in {time.perf_counter() - t0:.1f} s"
        )
        factory = session_factory(engine)
        ours, base = [], []
        with psycopg.connect(dsn) as conn:
            for n in range(args.rounds):
                with factory() as s:
                    t = time.perf_counter()
                    board = dashboard.build(s, MONTH, now=NOW)
                    ours.append(time.perf_counter() - t)
                    s.rollback()
                t = time.perf_counter()
                got = plain(conn)
                base.append(time.perf_counter() - t)
                month = got["sales by month"][-1]  # the same figures, or the race means nothing
                assert month[0] == "2026-01" and month[3] == board.sales.revenue, (
                    month,
                    board.sales,
                )
                assert got["stock value"][0][0] == board.stock_value
                print(
                    f"round {n + 1}: dashboard {ours[-1]:.3f} s (revenue {board.sales.revenue:,}), "
                    f"plain SQL {base[-1]:.3f} s ({sum(map(len, got.values()))} rows)"
                )
        o, b = p95(ours), p95(base)
        print(
            f"p95: dashboard {o:.3f} s, plain SQL {b:.3f} s -> {o / b:.2f}x "
            f"(median {statistics.median(ours):.3f} / {statistics.median(base):.3f} s; "
            f"target <= 3x: {'MET' if o <= 3 * b else 'MISSED'})"
        )
        engine.dispose()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
