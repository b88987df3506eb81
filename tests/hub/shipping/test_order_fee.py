"""Placing an order freezes the cheapest shipping quote to the reseller's address (orders ⇄ shipping seam)."""

from __future__ import annotations

from decimal import Decimal as D

from sqlalchemy.orm import Session

from hub.catalog.models import PriceList, PriceListItem, Product
from hub.inventory import service as stock
from hub.orders.catalog import HubCatalog
from hub.orders.service import LineRequest, OrderContext, create_order
from hub.orders.shipping import HubShipping
from hub.resellers.models import Reseller
from hub.shipping.ratecards import import_file
from hub.shipping.rules import Item
from hub.shipping.service import add_address, add_warehouse, quote_shipment
from tests.hub.shipping.helpers import GOOD

WEIGHT, SIDE = D("1.31"), D(10)


def _seed(db: Session) -> int:
    """Two resellers with a price list each, one product in stock; only ``toko-sby`` has an address."""
    product = Product(
        sku="ROUTER-1",
        name="Router",
        list_price=D(150000),
        weight_kg=WEIGHT,
        length_cm=SIDE,
        width_cm=SIDE,
        height_cm=SIDE,
    )
    db.add(product)
    for rid in ("toko-sby", "toko-none"):
        db.add(
            Reseller(
                id=rid, name=rid, ssh_public_key="ssh-ed25519 AAAA x", signing_public_key="x" * 43
            )
        )
    db.flush()
    for rid in ("toko-sby", "toko-none"):
        plist = PriceList(name=f"list {rid}", reseller_id=rid)
        db.add(plist)
        db.flush()
        db.add(PriceListItem(price_list_id=plist.id, product_id=product.id, unit_price=D(100000)))
    stock.receive(db, product.id, 10)
    import_file(db, data=GOOD.encode(), filename="cards.csv")
    add_warehouse(db, "BDG", "Gudang Bandung", "32.73.01")
    add_address(db, "toko-sby", region_kode="35.78", is_default=True)
    db.flush()
    return product.id


def test_order_freezes_the_cheapest_quote_or_leaves_it_to_operations(db: Session) -> None:
    pid = _seed(db)
    ctx = OrderContext(catalog=HubCatalog(), shipping=HubShipping())

    order = create_order(db, None, "toko-sby", [LineRequest(2, product_id=pid)], ctx)
    options = quote_shipment(
        db,
        origin="BDG",
        destination="35.78",
        items=[Item(weight=WEIGHT, length=SIDE, width=SIDE, height=SIDE, quantity=2)],
    ).options
    cheapest = min(options, key=lambda o: o.total)
    assert order.shipping_fee == cheapest.total > 0
    assert (order.shipping_courier, order.shipping_service) == (cheapest.courier, cheapest.service)
    assert order.total == D(200000) + cheapest.total and order.state == "awaiting_payment"

    unaddressed = create_order(db, None, "toko-none", [LineRequest(1, product_id=pid)], ctx)
    assert (
        unaddressed.shipping_fee == 0
        and "no warehouse or delivery address" in unaddressed.shipping_note
    )
