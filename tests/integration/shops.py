"""Two small shop schemas of our own, on SQLite, PostgreSQL and MariaDB: nothing here is Northwind.

* ``chinook`` — a music shop after the Chinook sample's shape: ``customers``
  (with an ``updated_at`` every write moves), ``tracks`` (no cursor),
  ``track_stock`` (stock counted in boxes of 10), ``invoices`` (an
  ``invoice_date`` that never moves when an invoice is edited) and
  ``invoice_lines`` (prices *including* 11 % VAT).
* ``classicmodels`` — a scale-model wholesaler after the classicmodels sample's
  shape: ``products`` (``productCode`` text keys, ``quantityInStock``,
  ``buyPrice``, ``productLine``), ``orders`` (``orderDate``, a ``status`` of
  Shipped / Cancelled / In Process…), ``orderdetails`` and ``customers``.

Rows are generated deterministically (``n`` of each), so every platform holds
the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from tests.integration.spine_kit import Source, run_sql

TYPES = {  # portable spelling -> per platform
    "sqlite": {"ts": "TIMESTAMP", "date": "DATE", "money": "DECIMAL(10,2)", "text": "VARCHAR"},
    "postgresql": {"ts": "TIMESTAMP", "date": "DATE", "money": "NUMERIC(10,2)", "text": "VARCHAR"},
    "mysql": {"ts": "DATETIME", "date": "DATE", "money": "DECIMAL(10,2)", "text": "VARCHAR"},
}
DAY0 = dt.date(2026, 1, 1)


def _sql_value(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, (int, Decimal)):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def inserts(
    table: str, columns: list[str], rows: list[tuple[Any, ...]], batch: int = 500
) -> list[str]:
    out = []
    for i in range(0, len(rows), batch):
        values = ", ".join(
            "(" + ", ".join(_sql_value(v) for v in r) + ")" for r in rows[i : i + batch]
        )
        out.append(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}")
    return out


def chinook(platform: str, n: int = 300, day0: dt.date = DAY0) -> list[str]:
    t = TYPES[platform]
    ddl = [
        f"CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, first_name {t['text']}(40), "
        f"city {t['text']}(40), country {t['text']}(40), updated_at {t['ts']})",
        f"CREATE TABLE tracks (track_id INTEGER PRIMARY KEY, name {t['text']}(200), "
        f"unit_price {t['money']}, milliseconds INTEGER)",
        "CREATE TABLE track_stock (track_id INTEGER PRIMARY KEY, boxes INTEGER)",
        f"CREATE TABLE invoices (invoice_id INTEGER PRIMARY KEY, customer_id INTEGER, "
        f"invoice_date {t['date']}, billing_city {t['text']}(40), total {t['money']})",
        f"CREATE TABLE invoice_lines (invoice_line_id INTEGER PRIMARY KEY, invoice_id INTEGER, "
        f"track_id INTEGER, unit_price {t['money']}, quantity INTEGER)",
    ]
    cities = ["Jakarta", "Bandung", "Surabaya", "Medan", "Makassar"]
    customers = [
        (i, f"Pelanggan {i}", cities[i % 5], "Indonesia", f"2026-01-01 08:{i % 60:02d}:00")
        for i in range(1, n // 6 + 1)
    ]
    tracks = [
        (i, f"Lagu {i} — ❤", Decimal("0.99") + Decimal(i % 5), 180_000 + i)
        for i in range(1, n * 10 + 1)
    ]
    stock = [(i, i % 7) for i in range(1, n + 1)]
    invoices = [
        (i, 1 + i % (n // 6), day0 + dt.timedelta(days=i // 3), cities[i % 5], Decimal(i) / 4)
        for i in range(1, n + 1)
    ]
    lines = [
        (i, 1 + i // 2, 1 + i % 40, Decimal("11.10") + i % 3, 1 + i % 4)
        for i in range(1, 2 * n + 1)
    ]
    return [
        *ddl,
        *inserts(
            "customers", ["customer_id", "first_name", "city", "country", "updated_at"], customers
        ),
        *inserts("tracks", ["track_id", "name", "unit_price", "milliseconds"], tracks),
        *inserts("track_stock", ["track_id", "boxes"], stock),
        *inserts(
            "invoices",
            ["invoice_id", "customer_id", "invoice_date", "billing_city", "total"],
            invoices,
        ),
        *inserts(
            "invoice_lines",
            ["invoice_line_id", "invoice_id", "track_id", "unit_price", "quantity"],
            lines,
        ),
    ]


def classicmodels(platform: str, n: int = 40, day0: dt.date = DAY0) -> list[str]:
    t = TYPES[platform]
    ddl = [
        f"CREATE TABLE products (productCode {t['text']}(15) PRIMARY KEY, productName {t['text']}(70), "
        f"productLine {t['text']}(50), quantityInStock INTEGER, buyPrice {t['money']}, MSRP {t['money']})",
        f"CREATE TABLE orders (orderNumber INTEGER PRIMARY KEY, orderDate {t['date']}, "
        f"status {t['text']}(15), customerNumber INTEGER)",
        f"CREATE TABLE orderdetails (orderNumber INTEGER, productCode {t['text']}(15), "
        f"quantityOrdered INTEGER, priceEach {t['money']}, PRIMARY KEY (orderNumber, productCode))",
        f"CREATE TABLE customers (customerNumber INTEGER PRIMARY KEY, customerName {t['text']}(50), "
        f"city {t['text']}(50), country {t['text']}(50))",
    ]
    lines_ = ["Classic Cars", "Motorcycles", "Planes", "Ships"]
    products = [
        (
            f"S18_{1000 + i}",
            f"1:18 Model {i}",
            lines_[i % 4],
            (i % 5) * 3,  # 0, 3, 6, 9, 12: some run low
            Decimal(20 + i),
            Decimal(40 + i),
        )
        for i in range(1, n + 1)
    ]
    statuses = ["Shipped", "Shipped", "In Process", "Cancelled"]
    orders = [
        (10100 + i, day0 + dt.timedelta(days=i % 20), statuses[i % 4], 100 + i % 9)
        for i in range(1, n + 1)
    ]
    details = [
        (10100 + i, f"S18_{1000 + 1 + (i + k) % n}", 1 + (i + k) % 5, Decimal(30 + (i + k) % n))
        for i in range(1, n + 1)
        for k in range(2)
    ]
    # one model only ever ordered in an order that was cancelled: it sold nothing
    products.append(("S18_9999", "1:18 Batal", "Ships", 0, Decimal(25), Decimal(50)))
    orders.append((19999, day0 + dt.timedelta(days=3), "Cancelled", 101))
    details.append((19999, "S18_9999", 5, Decimal(45)))
    customers = [(100 + i, f"Toko Model {i}", "Semarang", "Indonesia") for i in range(9)]
    return [
        *ddl,
        *inserts(
            "products",
            ["productCode", "productName", "productLine", "quantityInStock", "buyPrice", "MSRP"],
            products,
        ),
        *inserts("orders", ["orderNumber", "orderDate", "status", "customerNumber"], orders),
        *inserts(
            "orderdetails", ["orderNumber", "productCode", "quantityOrdered", "priceEach"], details
        ),
        *inserts("customers", ["customerNumber", "customerName", "city", "country"], customers),
    ]


@contextmanager
def shop_source(
    platform: str, base: Path, postgres: Any, mariadb: Any, build: Callable[[str], list[str]]
) -> Iterator[Source]:
    """A fresh database on ``platform`` filled by ``build``; dropped afterwards."""
    pg_db = my_db = None
    try:
        if platform == "sqlite":
            base.mkdir(parents=True, exist_ok=True)
            src = Source("sqlite", f"sqlite:///{base / 'shop.db'}")
        elif platform == "postgresql":
            dsn = postgres.create_database()
            pg_db = dsn.rsplit("/", 1)[1]
            src = Source("postgresql", dsn)
        else:
            my_db = mariadb.create_database()
            url = f"mysql://{mariadb.user}@{mariadb.host}:{mariadb.port}/{my_db}"
            src = Source("mysql", url, mariadb.password)
        run_sql(src, build(platform))
        yield src
    finally:
        if pg_db:
            postgres.drop_database(pg_db)
        if my_db:
            mariadb.drop_database(my_db)
