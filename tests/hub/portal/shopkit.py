"""A hub with a small shop: a model with two variants, prices, a promotion, stock, a warehouse,
a rate card, an address for r1, a down-payment group; built through the services staff use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hub.catalog.models import (
    PriceList,
    PriceListItem,
    Product,
    Promotion,
    ResellerGroup,
    ResellerGroupMember,
)
from hub.core.db import transaction, utcnow
from hub.inventory import service as stock
from hub.portal.cart import set_down_payment_rule
from hub.shipping.models import RateCard, Region, Warehouse
from hub.shipping.service import add_address

JKT, SMG = "31.71", "33.74"


def regions(s: Session) -> None:
    for kode, name, level, parent in (
        ("31", "DKI Jakarta", 1, None),
        (JKT, "Kota Jakarta Pusat", 2, "31"),
        ("33", "Jawa Tengah", 1, None),
        (SMG, "Kota Semarang", 2, "33"),
    ):
        s.add(Region(kode=kode, name=name, name_norm=name.lower(), level=level, parent_kode=parent))


def build_shop(
    factory: object, reseller: str = "r1", down_payment: Decimal = Decimal(10)
) -> dict[str, int]:
    """The shop's rows; returns the ids tests name."""
    now = utcnow()
    with transaction(factory) as s:  # type: ignore[arg-type]
        regions(s)
        s.add(Warehouse(code="JKT", name="Gudang Jakarta", region_kode=JKT, address="Jl. Gudang 1"))
        for courier, service, price, etd in (
            ("JNE", "REG", 9000, (2, 3)),
            ("JNE", "YES", 18000, (1, 1)),
            ("TIKI", "ONS", 12000, (1, 2)),
        ):
            s.add(RateCard(courier=courier, service=service, origin=JKT, destination=SMG,
                           price_per_kg=Decimal(price), min_weight=Decimal(1), etd_min=etd[0],
                           etd_max=etd[1], effective_from=dt.date(2020, 1, 1)))  # fmt: skip
        model = Product(sku="KAOS", name="Kaos Polo Katun", brand="Nusantara", category="Pakaian",
                        list_price=Decimal(150000), specs={"Bahan": "Katun combed 30s"},
                        options={"Warna": ["Merah", "Biru"]})  # fmt: skip
        s.add(model)
        s.flush()
        red = Product(sku="KAOS-MERAH", name="Kaos Polo Katun Merah", category="Pakaian", list_price=Decimal(150000),
                      weight_kg=Decimal("0.3"), model_id=model.id, option_values={"Warna": "Merah"})  # fmt: skip
        blue = Product(sku="KAOS-BIRU", name="Kaos Polo Katun Biru", category="Pakaian", list_price=Decimal(150000),
                       weight_kg=Decimal("0.3"), model_id=model.id, option_values={"Warna": "Biru"})  # fmt: skip
        other = Product(
            sku="TOPI-01", name="Topi Baseball", category="Aksesoris", list_price=Decimal(50000)
        )
        s.add_all([red, blue, other])
        group = ResellerGroup(name="Grosir Jawa Tengah")
        s.add(group)
        s.flush()
        s.add(ResellerGroupMember(group_id=group.id, reseller_id=reseller))
        plist = PriceList(name="Grosir 2026", group_id=group.id)
        s.add(plist)
        s.flush()
        for p in (red, blue):
            s.add(
                PriceListItem(
                    price_list_id=plist.id,
                    product_id=p.id,
                    min_quantity=1,
                    unit_price=Decimal(120000),
                )
            )
            s.add(PriceListItem(price_list_id=plist.id, product_id=p.id, min_quantity=10, unit_price=Decimal(111000)))  # fmt: skip
        s.add(Promotion(name="Merah Merdeka", product_id=red.id, group_id=group.id, percent_off=Decimal(10),
                        min_quantity=1, valid_from=now - dt.timedelta(days=1), valid_to=now + dt.timedelta(days=30)))  # fmt: skip
        if down_payment:
            set_down_payment_rule(s, group.id, down_payment)
        stock.receive(s, red.id, 50, reference="seed")
        stock.receive(s, blue.id, 20, reference="seed")
        add_address(s, reseller, region_kode=SMG, postal_code="50132", is_default=True,
                    label="Toko", recipient="Budi Santoso", phone="+62 812 3456 7890",
                    street="Jl. Pemuda 5")  # fmt: skip
        return {
            "model": model.id,
            "red": red.id,
            "blue": blue.id,
            "other": other.id,
            "group": group.id,
        }


def order_through_pages(client: object, model_id: int, quantities: dict[int, int]) -> int:
    """Cart → checkout with the default address and the cheapest courier; the new order's id."""
    import re

    c: Any = client
    r = c.post(
        f"/portal/catalog/{model_id}/cart",
        data={f"qty-{pid}": str(q) for pid, q in quantities.items()},
    )
    assert r.status_code == 303, r.text
    page = c.get("/portal/checkout").text
    addr = re.search(r'name="address_id" value="(\d+)"', page)
    chosen = re.search(r'name="shipping" value="([^"]+)"\s+checked', page)
    assert addr and chosen, page
    r = c.post("/portal/checkout", data={"address_id": addr.group(1), "shipping": chosen.group(1)})
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[-1].split("?")[0])
