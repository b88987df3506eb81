"""Reorder suggestions against numbers worked out by hand (acceptance 2).

Policy: 28-day window, 7 safety days, 30 cover days. ``at`` = 10 Dec 2026, so the window
is 12 Nov .. 9 Dec. Per product (position = available + on order - accepted offers not yet
reserved; reorder point = daily × (lead + 7); up to = point + daily × 30):

* LAPTOP: sold 30 + 26 = 56 → 2/day. On hand 20, 5 reserved → 15 available; an accepted
  offer of 4 whose order is still a draft → position 11 (the accepted offer of 7 whose order
  is placed is not counted: a placed order holds its units in "reserved").
  ACME lead 10 → point 34; up to 94 → 83 laptops from ACME.
* MOUSE: sold 140 → 5/day; 50 available + 40 on order = 90 > point 85 → nothing.
  But warehouse SBY (#2) has a reorder point 10, refill 30 and holds 0 → 30 (multiple 10).
* SSD: sold 28 → 1/day; BETA is preferred (dearer than ACME), lead 3 → point 10; position 0;
  up to 40 → 40 (minimum order 20 is below it).
* CABLE: sold 10 → 0.357/day, no supplier → listed apart: point 2.5, up to 13.2 → 14.
* OLD (discontinued) sold 100 → never suggested; sales outside the window never count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from hub.catalog.models import Product
from hub.core.db import transaction
from hub.inventory import bins
from hub.inventory import service as stock
from hub.offers.models import Offer, SalesDaily
from hub.orders.models import Order
from hub.purchasing import replenish, service, suppliers
from hub.purchasing.reorder import Item, Policy, order_size, sell_through
from hub.purchasing.schemas import SupplierProductIn
from hub.resellers.models import Reseller
from shared.errors import DataError
from tests.hub.purchasing.kit import BUYER, D, Shop, open_shop, sent_order

AT = dt.datetime(2026, 12, 10, 2, 0, tzinfo=dt.timezone.utc)
DAY = dt.date(2026, 12, 1)


def _offer(pid: int, qty: int, order_id: int | None) -> Offer:
    return Offer(
        reseller_id="r1",
        product_id=pid,
        kind="replenishment",
        status="accepted",
        quantity=qty,
        unit_price=D("1"),
        price_rule="list",
        numbers={},
        reason="",
        valid_from=AT,
        valid_to=AT,
        order_id=order_id,
    )


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    shop = open_shop(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "po")
    p = shop.products
    with transaction(shop.factory) as s:
        for sku, discontinued in (("CABLE", False), ("OLD", True)):
            prod = Product(
                sku=sku, name=f"Produk {sku}", list_price=D(1), discontinued=discontinued
            )
            s.add(prod)
            s.flush()
            p[sku] = prod.id
        suppliers.set_products(
            s,
            BUYER,
            shop.suppliers["BETA"],
            [
                SupplierProductIn(
                    sku="SSD",
                    unit_cost=D("900000"),
                    preferred=True,
                    lead_time_days=3,
                    min_order_qty=20,
                ),
                SupplierProductIn(sku="OLD", unit_cost=D("1")),
            ],
        )
        s.add(Reseller(id="r1", name="Toko 1", ssh_public_key="k", signing_public_key="k"))
        s.flush()
        sales = {"LAPTOP": [("r1", 30), ("r2", 26)], "MOUSE": [("r1", 140)], "SSD": [("r2", 28)]}
        sales |= {"CABLE": [("r1", 10)], "OLD": [("r1", 100)]}
        for sku, rows in sales.items():
            for rid, qty in rows:
                s.add(SalesDaily(reseller_id=rid, product_id=p[sku], day=DAY, quantity=qty))
        for day in (dt.date(2026, 11, 11), AT.date()):  # one day before the window, and today
            s.add(SalesDaily(reseller_id="r1", product_id=p["SSD"], day=day, quantity=500))
        stock.receive(s, p["LAPTOP"], 20, warehouse_id=1)
        stock.reserve(s, {p["LAPTOP"]: 5})
        stock.receive(s, p["MOUSE"], 50, warehouse_id=1)
        bins.set_levels(s, 2, p["MOUSE"], 10, 30)
        draft = Order(reseller_id="r1", state="draft")
        placed = Order(reseller_id="r1", state="awaiting_payment")
        s.add_all([draft, placed])
        s.flush()
        s.add_all([_offer(p["LAPTOP"], 4, draft.id), _offer(p["LAPTOP"], 7, placed.id)])
    sent_order(shop, {"MOUSE": 40})
    return shop


def test_the_plan_matches_the_hand_worked_numbers(shop: Shop) -> None:
    with shop.factory() as s:
        plan = replenish.plan(s, at=AT, policy=Policy(28, 7, 30))
    p, acme, beta = shop.products, shop.suppliers["ACME"], shop.suppliers["BETA"]
    got = {
        (ln.sku, ln.warehouse_id): (ln.quantity, ln.source.supplier_id if ln.source else None)
        for ln in plan.lines
    }
    assert got == {
        ("LAPTOP", 1): (83, acme),
        ("MOUSE", 2): (30, acme),
        ("SSD", 1): (40, beta),
    }
    laptop = next(ln for ln in plan.lines if ln.sku == "LAPTOP")
    assert {
        k: laptop.numbers[k]
        for k in ("daily", "available", "committed", "position", "reorder_point", "up_to")
    } == {
        "daily": "2.0",
        "available": "15",
        "committed": "4",
        "position": "11",
        "reorder_point": "34.0",
        "up_to": "94.0",
    }
    assert "Resellers sold 56 of Produk LAPTOP in 28 days (2.0/day)" in laptop.reasons[0]
    assert [(ln.sku, ln.quantity, ln.source) for ln in plan.unsourced] == [("CABLE", 14, None)]
    assert laptop.amount == D("415000000")  # 83 × 5.000.000
    assert set(plan.by_supplier()) == {acme, beta}
    assert p["OLD"] not in {ln.product_id for ln in plan.lines + plan.unsourced}


def test_open_orders_and_the_mouse_refill_are_counted_per_warehouse(shop: Shop) -> None:
    with shop.factory() as s:
        (low,) = replenish.low_stock_levels(s)
        assert (low.warehouse_id, low.on_hand, low.on_order, low.reorder_point) == (2, 0, 0, 10)
    sent_order(shop, {"MOUSE": 20}, warehouse=2)  # 20 on order for SBY: above its point 10
    with shop.factory() as s:
        plan = replenish.plan(s, at=AT, policy=Policy(28, 7, 30))
    assert ("MOUSE", 2) not in {(ln.sku, ln.warehouse_id) for ln in plan.lines}


def test_reviewed_lines_become_one_draft_per_supplier_and_warehouse(shop: Shop) -> None:
    with shop.factory() as s:
        plan = replenish.plan(s, at=AT, policy=Policy(28, 7, 30))
    picks = [
        replenish.Pick(ln.product_id, ln.source.supplier_id, ln.warehouse_id, ln.quantity)
        for ln in plan.lines
        if ln.source
    ]
    picks[0] = replenish.Pick(
        picks[0].product_id, picks[0].supplier_id, picks[0].warehouse_id, 80
    )  # edited
    with transaction(shop.factory) as s:
        made = replenish.make_orders(s, BUYER, picks)
        summary = sorted(
            (
                po.supplier_id,
                po.warehouse_id,
                po.source,
                po.state,
                [(ln.product_id, ln.quantity) for ln in po.lines],
            )
            for po in made
        )
    p, acme, beta = shop.products, shop.suppliers["ACME"], shop.suppliers["BETA"]
    assert summary == [
        (acme, 1, "reorder", "draft", [(p["LAPTOP"], 80)]),
        (acme, 2, "reorder", "draft", [(p["MOUSE"], 30)]),
        (beta, 1, "reorder", "draft", [(p["SSD"], 40)]),
    ]
    with shop.factory() as s:  # drafts are not on order yet: the plan is unchanged until approval
        assert service.on_order(s).get(p["LAPTOP"]) is None
    with pytest.raises(DataError, match="no line chosen"), transaction(shop.factory) as s:
        replenish.make_orders(s, BUYER, [])


def test_order_sizes_round_up_to_the_multiple_and_the_minimum() -> None:
    assert order_size(Decimal("0.1"), 1, 1) == 1
    assert order_size(Decimal("21"), 1, 10) == 30
    assert order_size(Decimal("3"), 25, 10) == 30  # the minimum itself rounded to the multiple
    assert order_size(Decimal("40"), 20, 1) == 40


def test_no_sales_or_no_supplier_suggests_nothing_from_the_pure_rules() -> None:
    items = [
        Item(1, "A", "A", sold=0, available=0, on_order=0, lead_days=5),
        Item(2, "B", "B", sold=28, available=0, on_order=0, lead_days=None),
        Item(3, "C", "C", sold=28, available=12, on_order=0, lead_days=5),  # point 12: at it
        Item(4, "D", "D", sold=28, available=13, on_order=0, lead_days=5),  # above
    ]
    (only,) = sell_through(items, Policy(28, 7, 30))
    assert (only.product_id, only.quantity, only.numbers["up_to"]) == (3, 30, "42.0")
