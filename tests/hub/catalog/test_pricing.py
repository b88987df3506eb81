"""Acceptance 4: the explanation names the rule that produced each price."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hub.catalog.errors import ProductNotPriced, UnknownProduct
from hub.catalog.models import (
    PriceList,
    PriceListItem,
    Product,
    Promotion,
    ResellerGroup,
    ResellerGroupMember,
)
from hub.catalog.pricing import price_for, prices_for

UTC = dt.timezone.utc
AT = dt.datetime(2024, 6, 15, tzinfo=UTC)


@pytest.fixture
def book(db):
    with db() as s, s.begin():
        p = Product(sku="P1", name="Router", list_price=Decimal("1000"))
        off = Product(sku="P2", name="Old", list_price=Decimal("10"), active=False)
        g = ResellerGroup(name="java")
        s.add_all([p, off, g])
        s.flush()
        s.add(ResellerGroupMember(group_id=g.id, reseller_id="r-group"))
        general, group, own = (
            PriceList(name="general"),
            PriceList(name="java list", group_id=g.id),
            PriceList(name="r-own list", reseller_id="r-own"),
        )
        s.add_all([general, group, own])
        s.flush()
        for pl, brks in (
            (general, {1: "900", 10: "850", 50: "800"}),
            (group, {1: "880"}),
            (own, {5: "700"}),
        ):
            for q, price in brks.items():
                s.add(
                    PriceListItem(
                        price_list_id=pl.id,
                        product_id=p.id,
                        min_quantity=q,
                        unit_price=Decimal(price),
                    )
                )
        s.add(
            PriceListItem(
                price_list_id=general.id, product_id=off.id, min_quantity=1, unit_price=Decimal("9")
            )
        )
        s.add(
            Promotion(
                name="June sale",
                product_id=p.id,
                group_id=g.id,
                percent_off=Decimal("10"),
                valid_from=dt.datetime(2024, 6, 1, tzinfo=UTC),
                valid_to=dt.datetime(2024, 7, 1, tzinfo=UTC),
            )
        )
    return db, p.id, off.id


@pytest.mark.parametrize(
    "reseller,qty,at,price,words",
    [
        ("r-any", 1, AT, "900.00", "the general price list 'general'"),
        ("r-any", 10, AT, "850.00", "quantity break from 10 units: 850.00"),
        ("r-any", 49, AT, "850.00", "quantity break from 10 units"),
        ("r-any", 50, AT, "800.00", "quantity break from 50 units"),
        ("r-group", 1, AT, "792.00", "promotion 'June sale'"),  # 10% off the group's 880
        (
            "r-group",
            1,
            dt.datetime(2024, 7, 1, tzinfo=UTC),
            "880.00",
            "its group's price list 'java list'",
        ),
        ("r-own", 5, AT, "700.00", "the reseller's own price list 'r-own list'"),
        ("r-own", 4, AT, "900.00", "the general price list"),  # own list starts at 5 units
    ],
)
def test_price_and_its_explanation(book, reseller, qty, at, price, words):
    db, pid, _ = book
    with db() as s:
        q = price_for(s, reseller, pid, qty, at)
    assert q.unit_price == Decimal(price) and words in q.rule
    assert q.rule.endswith(str(q.base_price)) and (q.promotion_id is not None) == (
        "promotion" in q.rule
    )
    assert f"(#{q.price_list_id})" in q.rule and q.price_list_name in q.rule
    if q.promotion_id:
        assert f"10.00% off {q.base_price}" in q.rule and f"→ {q.unit_price}" in q.rule


def test_not_priced_errors_say_why(book):
    db, pid, off = book
    with db() as s:
        with pytest.raises(ProductNotPriced, match="inactive"):
            price_for(s, "r-any", off, 1, AT)
        with pytest.raises(UnknownProduct, match="no product #9999"):
            price_for(s, "r-any", 9999, 1, AT)
        s.query(PriceListItem).filter(PriceListItem.min_quantity < 10).delete()
        with pytest.raises(ProductNotPriced, match="fewer than 10 units"):
            price_for(s, "r-x", pid, 3, AT)


@pytest.mark.parametrize("reseller", ["r-any", "r-group", "r-own"])
@pytest.mark.parametrize("at", [AT, dt.datetime(2024, 7, 1, tzinfo=UTC)])
def test_batch_pricing_equals_one_by_one(book, reseller, at):
    """Orders price all lines at once: same price, same rule, same refusals as price_for."""
    db, pid, off = book
    for qty in (1, 4, 5, 10, 49, 50, 120):
        with db() as s:
            batch = prices_for(s, reseller, [(pid, qty), (off, qty), (9999, qty)], at)
            single = price_for(s, reseller, pid, qty, at)
        assert batch[pid].unit_price == single.unit_price and batch[pid].rule == single.rule
        assert isinstance(batch[off], ProductNotPriced) and "inactive" in str(batch[off])
        assert isinstance(batch[9999], ProductNotPriced) and "does not exist" in str(batch[9999])


@pytest.mark.parametrize("reseller", ["r-any", "r-group", "r-own"])
@pytest.mark.parametrize("at", [AT, dt.datetime(2024, 7, 1, tzinfo=UTC)])
def test_the_order_lookup_prices_like_price_for(book, reseller, at):
    """The order path reads products and the reseller's book in one statement (HubCatalog.find):
    same facts, prices, rules and refusals as reading them apart."""
    from hub.orders.catalog import HubCatalog, NotPriced

    db, pid, off = book
    with db() as s, s.begin():
        unlisted = Product(sku="P3", name="In no list", list_price=Decimal("5"))
        s.add(unlisted)
    catalog = HubCatalog()
    for qty in (1, 4, 5, 10, 50):
        with db() as s:
            found = catalog.find(s, reseller, ids=[pid, 9999], skus=["P2", "P3"])
            apart = catalog.products(s, ids=[pid, 9999], skus=["P2", "P3"])
            facts = {f.id: f for f in found.products}
            prices = catalog.prices(
                s, reseller, {pid: qty, off: qty, unlisted.id: qty}, at, facts, found.book
            )
            single = price_for(s, reseller, pid, qty, at)
        assert sorted(found.products, key=lambda f: f.id) == sorted(apart, key=lambda f: f.id)
        assert set(facts) == {pid, off, unlisted.id} and not facts[off].active
        assert (prices[pid].unit_price, prices[pid].rule) == (single.unit_price, single.rule)
        assert isinstance(prices[off], NotPriced) and "inactive" in str(prices[off])
        assert isinstance(prices[unlisted.id], NotPriced) and "in no price list" in str(
            prices[unlisted.id]
        )
