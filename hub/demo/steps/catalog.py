"""Demo step: the distributor's master catalog imported from a file, then matched per reseller.

The catalog is a CSV a distributor would keep (``hub.catalog.transfer`` imports it all or
nothing); its SKUs (``NW-0001``) are not the shops' own (``1``), so matching links most
products by name, and two renamed ones come out as suggestions in the review queue: the
operations manager accepts one; the other waits for review.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from decimal import Decimal

from sqlalchemy import select

from hub.catalog import matching
from hub.catalog.models import Product
from hub.catalog.rows import COLUMNS
from hub.catalog.transfer import import_catalog
from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.localize import RUPIAH_PER_DOLLAR
from hub.demo.sample_data import northwind_sqlite
from hub.demo.steps import Demo
from hub.demo.steps.people import staff

# The master names of these differ from the shops' (no apostrophe): matching only suggests.
RENAMED = {4: "Chef Anton Cajun Seasoning", 5: "Chef Anton Gumbo Mix"}
ACCEPTED = 4  # the operations manager accepts this suggestion; 5 waits for review
SERIALISED = (9, 38)  # premium products sold with a serial number and 12 months' warranty


def sku(product_id: int) -> str:
    return f"NW-{product_id:04d}"


def catalog_csv(demo: Demo) -> bytes:
    """The master catalog from the Northwind sample: names, brands, categories, Rupiah prices."""
    folder = demo.home / "catalog"
    folder.mkdir(parents=True, exist_ok=True)
    db = northwind_sqlite(folder / ".northwind.sqlite")
    try:
        with sqlite3.connect(db) as con:
            rows = con.execute(
                "SELECT p.ProductID, p.ProductName, s.CompanyName, c.CategoryName, p.UnitPrice,"
                " p.Discontinued FROM Products p JOIN Suppliers s USING (SupplierID)"
                " JOIN Categories c USING (CategoryID) ORDER BY p.ProductID"
            ).fetchall()
    finally:
        db.unlink(missing_ok=True)
    out = io.StringIO(newline="")
    w = csv.DictWriter(out, COLUMNS, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for pid, name, brand, category, price, discontinued in rows:
        serialised = pid in SERIALISED
        w.writerow(
            {
                "sku": sku(pid),
                "name": RENAMED.get(pid, name),
                "brand": brand,
                "category": category,
                "list_price": Decimal(str(price)) * RUPIAH_PER_DOLLAR,
                "pack_size": 1,
                "weight_kg": Decimal("0.5") + Decimal(pid % 5) / 2,
                "length_cm": 30,
                "width_cm": 20,
                "height_cm": 10 + pid % 3 * 5,
                "warranty_months": 12 if serialised else 0,
                "serialised": "ya" if serialised else "tidak",
                "active": "ya",
                "discontinued": "ya" if int(discontinued) else "tidak",
            }
        )
    data = out.getvalue().encode()
    (folder / "katalog-induk.csv").write_bytes(data)
    return data


def seed(demo: Demo) -> str:
    data = catalog_csv(demo)
    ops = demo.as_user(staff(Role.OPERATIONS))
    with transaction(demo.factory) as s:
        report = import_catalog(s, "katalog-induk.csv", data, principal=ops)
        demo.products.update(dict(s.execute(select(Product.sku, Product.id)).tuples().all()))
    linked = suggested = 0
    for rid in demo.resellers:
        with transaction(demo.factory) as s:
            summary = matching.match_reseller(s, rid)
            linked += sum(summary.linked.values())
            suggested += summary.suggested
            for suggestion, product, _ in matching.review_queue(s, rid):
                if product.sku == sku(ACCEPTED) and suggestion.reseller_sku == str(ACCEPTED):
                    matching.accept(s, suggestion.id, ops)
                    break
    with demo.factory() as s:
        waiting = len(matching.review_queue(s))
    return (
        f"{len(report.created)} master products imported (catalog/katalog-induk.csv);"
        f" {linked} shop products linked, {suggested} suggested, {waiting} waiting for review"
    )
