"""A hub with serialised stock received from a supplier and units shipped to resellers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.inventory import serials
from hub.inventory import service as stock
from hub.orders.models import Order
from hub.resellers.models import Reseller
from tests.hub.purchasing.kit import Shop, receive, sent_order

R1 = Principal(Role.RESELLER, user_id=11, username="toko1", reseller_id="r1")
R2 = Principal(Role.RESELLER, user_id=12, username="toko2", reseller_id="r2")
DESK = Principal(Role.REPAIR, user_id=5, username="teknisi")
BUYER_DESK = Principal(Role.PURCHASING, user_id=21, username="budi")


@dataclass
class Shipped:
    order_id: int
    invoice: str


def add_resellers(shop: Shop) -> None:
    with transaction(shop.factory) as s:
        for rid in ("r1", "r2"):
            s.add(Reseller(id=rid, name=f"Toko {rid}", ssh_public_key="k", signing_public_key="k"))


def stock_laptops(shop: Shop, serial_numbers: list[str]) -> int:
    """Laptops bought from ACME (a real purchase order and receipt), in stock at warehouse 1."""
    po = sent_order(shop, {"LAPTOP": len(serial_numbers)})
    receive(shop, po, {"LAPTOP": len(serial_numbers)}, serials={"LAPTOP": serial_numbers})
    return po


def ship(
    shop: Shop, reseller: str, serial_numbers: list[str], at: Optional[dt.datetime] = None
) -> Shipped:
    """An order of laptops that left the hub with these serials (the order flow is tested in orders)."""
    laptop = shop.products["LAPTOP"]
    with transaction(shop.factory) as s:
        order = Order(
            reseller_id=reseller,
            state="shipped",
            invoice_number=f"INV/{reseller}/{len(serial_numbers)}{serial_numbers[0]}",
        )
        s.add(order)
        s.flush()
        stock.reserve(s, {laptop: len(serial_numbers)})
        stock.ship(s, {laptop: len(serial_numbers)})
        serials.ship_with_order(
            s, order.id, reseller, {laptop: len(serial_numbers)}, serial_numbers, at=at
        )
        return Shipped(order.id, order.invoice_number or "")
