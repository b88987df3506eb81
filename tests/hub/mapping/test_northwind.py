"""Mapping a real Northwind (SQLite port, read by the real connector) to canonical entities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.base import ReadRequest
from connectors.registry import connect
from hub.core.db import transaction
from hub.demo.sample_data import northwind_sqlite
from hub.mapping import service
from hub.mapping.profiles import NORTHWIND, EntityMap, Profile
from hub.merge import merge_snapshot
from shared.errors import DataError, NotFound
from shared.snapshot import SnapshotWriter
from shared.snapshot_reader import SnapshotReader

UTC = dt.timezone.utc
T1 = dt.datetime(2024, 6, 1, tzinfo=UTC)
TABLES = {
    "Products": "Products",
    "Order_Details": "Order Details",
    "Orders": "Orders",
    "Customers": "Customers",
}


@pytest.fixture(scope="module")
def northwind_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full snapshot of four Northwind tables, exported by the SQLite connector."""
    base = tmp_path_factory.mktemp("nw")
    db = northwind_sqlite(base / "northwind.db")
    w = SnapshotWriter(base / "snap", "nw-sqlite", 1, "full", "test", "sqlite", created_at=T1)
    with connect(f"sqlite:///{db}") as con:
        for name, table in TABLES.items():
            req = ReadRequest(table=table)
            dw = w.dataset(
                name, con.describe(req), con.primary_key(table) or ["OrderID", "ProductID"]
            )
            for chunk in con.read(req):
                dw.write(chunk)
    w.finish()
    return base / "snap"


@pytest.fixture
def merged(db, northwind_snapshot):
    reader = SnapshotReader.from_directory(northwind_snapshot)
    with transaction(db) as s:
        merge_snapshot(
            s,
            reseller_id="nw-sqlite",
            snapshot_id=1,
            manifest=reader.manifest,
            reader=reader,
            received_at=T1,
        )
    return db


def test_preview_then_apply_northwind_and_check_revenue(merged):
    with transaction(merged) as s:
        pv = service.preview(s, "nw-sqlite", NORTHWIND)
        assert {e: p.problems for e, p in pv.items()} == {e: [] for e in NORTHWIND.entities}
        assert pv["sale_line"].dataset == "Order_Details" and pv["sale_line"].count == 2155
        assert pv["product"].rows[0][:2] == ("1", "Chai") and len(pv["product"].rows) == 5
        service.apply(s, "nw-sqlite", NORTHWIND)
    with merged() as s:
        fields, lines = service.entity_rows(s, "nw-sqlite", "sale_line")
        assert fields == [
            "order_id",
            "sku",
            "quantity",
            "unit_price",
            "discount",
            "order_date",
            "status",  # Northwind has none: None, counted as sold
        ]
        assert len(lines) == 2155 and all(isinstance(r[3], Decimal) for r in lines)
        first = [r for r in lines if r[0] == "10248"]
        assert [(r[1], r[2], r[3], r[4], r[5]) for r in first] == [
            ("11", 12, Decimal("14"), Decimal("0.0"), dt.date(1996, 7, 4)),
            ("42", 10, Decimal("9.8"), Decimal("0.0"), dt.date(1996, 7, 4)),
            ("72", 5, Decimal("34.8"), Decimal("0.0"), dt.date(1996, 7, 4)),
        ]
        revenue = sum((r[3] * r[2] * (1 - r[4]) for r in lines), Decimal(0))
        assert revenue.quantize(Decimal("0.01")) == Decimal("1265793.04")
        _, products = service.entity_rows(s, "nw-sqlite", "product")
        _, stock = service.entity_rows(s, "nw-sqlite", "stock_level")
        assert len(products) == 77 and len(stock) == 77
        assert sum(r[1] for r in stock) == 3119  # Σ UnitsInStock in Northwind
        _, customers = service.entity_rows(s, "nw-sqlite", "customer")
        assert len(customers) == 93


def test_preview_lists_problems_and_apply_refuses(merged):
    bad = Profile(
        name="bad",
        entities={
            "product": EntityMap(
                dataset="Products", fields={"sku": "ProductID", "name": "NoSuchColumn"}
            ),
            "customer": EntityMap(dataset="Clients", fields={"customer_id": "CustomerID"}),
            "stock_level": EntityMap(
                dataset="Products", fields={"sku": "ProductID", "on_hand": "ProductName"}
            ),
        },
    )
    with merged() as s:
        pv = service.preview(s, "nw-sqlite", bad)
        assert (
            "NoSuchColumn" in pv["product"].problems[0]
            and "ProductName" in pv["product"].problems[0]
        )
        assert "Clients" in pv["customer"].problems[0]
        assert "not a whole number" not in " ".join(pv["stock_level"].problems)
        assert pv["stock_level"].problems and "stock_level.on_hand" in pv["stock_level"].problems[0]
        with pytest.raises(DataError, match="does not fit"):
            service.apply(s, "nw-sqlite", bad)
        with pytest.raises(NotFound, match="no mapping profile applied"):
            service.entity_rows(s, "nw-sqlite", "product")
