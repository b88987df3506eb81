"""A seeded web hub with laptops bought through the purchasing API and an order packed for a
reseller: the starting point of the warranty journey and of the warranty web tests."""

from __future__ import annotations

import struct
import zlib

from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.roles import Role
from hub.orders.models import Order
from hub.shipping.models import Warehouse
from tests.hub.web.webkit import Seeded

API = "/api/v1/purchasing"


def png(width: int = 24, height: int = 16) -> bytes:
    """A real (tiny, red) PNG: the photo of the broken screen."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def stock_laptops(hub: Seeded) -> None:
    """A warehouse, a serialised laptop with 12 months of warranty priced for r1 and r2, and
    three units bought from ACME through the purchasing API (serials LT-1001..1003)."""
    factory = hub.app.state.hub.session_factory
    with factory() as s, s.begin():
        s.add(Warehouse(code="JKT", name="Gudang Jakarta", region_kode="31.71"))
        laptop = Product(
            sku="LT-14",
            name="Laptop 14 inci",
            list_price=7_000_000,
            serialised=True,
            warranty_months=12,
        )
        s.add(laptop)
        s.flush()
        for rid in ("r1", "r2"):
            pl = PriceList(name=rid, reseller_id=rid, active=True)
            s.add(pl)
            s.flush()
            s.add(
                PriceListItem(
                    price_list_id=pl.id, product_id=laptop.id, min_quantity=1, unit_price=6_500_000
                )
            )
    buyer, store = hub.client(Role.PURCHASING), hub.client(Role.INVENTORY)
    sup = buyer.post(
        f"{API}/suppliers",
        json={"code": "ACME", "legal_name": "PT Acme Indonesia", "email": "rma@acme.co.id"},
    ).json()
    buyer.put(
        f"{API}/suppliers/{sup['id']}/products",
        json={"items": [{"sku": "LT-14", "unit_cost": "5000000"}]},
    )
    po = buyer.post(
        f"{API}/orders",
        json={
            "supplier_id": sup["id"],
            "warehouse_id": 1,
            "lines": [{"sku": "LT-14", "quantity": 3}],
        },
    ).json()
    for event in ("approve", "send"):
        assert buyer.post(f"{API}/orders/{po['id']}/events/{event}").status_code == 200
    serials = ["LT-1001", "LT-1002", "LT-1003"]
    line = po["lines"][0]["id"]
    r = store.post(
        f"{API}/orders/{po['id']}/receipts",
        json={"lines": [{"order_line_id": line, "quantity": 3, "serials": serials}]},
    )
    assert r.status_code == 201, r.text


def packed_order(hub: Seeded, reseller: str = "r1") -> int:
    """The reseller orders one laptop through the orders API; it is then paid and packed (the
    payment journey is its own test). Returns the order id."""
    r = hub.client(Role.RESELLER, reseller).post(
        "/api/v1/orders", json={"lines": [{"sku": "LT-14", "quantity": 1}]}
    )
    assert r.status_code == 201, r.text
    with hub.app.state.hub.session_factory() as s, s.begin():
        s.get(Order, r.json()["id"]).state = "packed"
    return int(r.json()["id"])


def stock_and_order(hub: Seeded) -> int:
    stock_laptops(hub)
    return packed_order(hub, "r1")
