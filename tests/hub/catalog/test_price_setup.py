"""Groups, price lists and promotions made through ``hub.catalog.price_setup``: what pricing
then quotes, what is refused (and leaves nothing behind), and the audit entry of each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hub.audit.models import AuditEntry
from hub.catalog.models import PriceList, Product
from hub.catalog.price_setup import PriceBreak, create_group, create_price_list, create_promotion
from hub.catalog.pricing import price_for
from hub.core.roles import Principal, Role
from hub.resellers.models import Reseller
from shared.errors import DataError

OPS = Principal(Role.OPERATIONS, user_id=4, username="ops")
NOW = dt.datetime(2026, 12, 7, 3, tzinfo=dt.timezone.utc)


@pytest.fixture
def shop(db):
    with db() as s, s.begin():
        s.add_all(
            Reseller(id=r, name=r, ssh_public_key="k", signing_public_key="k") for r in ("a", "b")
        )
        p = Product(sku="P1", name="Router", list_price=Decimal("1000000"))
        s.add(p)
        s.flush()
        return p.id


def test_group_list_breaks_and_promotion_are_what_pricing_quotes(db, shop) -> None:
    with db() as s, s.begin():
        create_price_list(s, OPS, "everyone", [PriceBreak(shop, Decimal("800000"))])
        group = create_group(s, OPS, "Jakarta", ["a"])
        create_price_list(
            s,
            OPS,
            "Jakarta list",
            [PriceBreak(shop, Decimal("780000")), PriceBreak(shop, Decimal("750000"), 24)],
            group_id=group.id,
        )
        create_promotion(
            s,
            OPS,
            name="promo",
            product_id=shop,
            percent_off=Decimal(10),
            group_id=group.id,
            valid_from=NOW - dt.timedelta(days=1),
            valid_to=NOW + dt.timedelta(days=1),
        )
    with db() as s:
        assert price_for(s, "b", shop, 1, NOW).unit_price == Decimal("800000")  # not in the group
        assert price_for(s, "a", shop, 24, NOW - dt.timedelta(days=2)).unit_price == Decimal(
            "750000"
        )  # the break, before the promotion
        promoted = price_for(s, "a", shop, 1, NOW)
        assert promoted.unit_price == Decimal("702000") and promoted.promotion_id is not None
        actions = dict(
            s.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all()
        )
    assert actions == {
        "price_list.create": 2,
        "reseller_group.create": 1,
        "promotion.create": 1,
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda s, p: create_price_list(s, OPS, "x", [PriceBreak(p, Decimal(0))]),
        lambda s, p: create_price_list(s, OPS, "x", [PriceBreak(p, Decimal(1))] * 2),
        lambda s, p: create_price_list(s, OPS, "x", [PriceBreak(p + 99, Decimal(1))]),
        lambda s, p: create_price_list(s, OPS, "x", [], reseller_id="nobody"),
        lambda s, p: create_group(s, OPS, "g", ["a", "nobody"]),
        lambda s, p: create_promotion(
            s, OPS, name="x", product_id=p, valid_from=NOW, valid_to=NOW, percent_off=Decimal(5)
        ),
        lambda s, p: create_promotion(
            s,
            OPS,
            name="x",
            product_id=p,
            valid_from=NOW,
            valid_to=NOW + dt.timedelta(days=1),
            percent_off=Decimal(5),
            fixed_price=Decimal(5),
        ),
    ],
)
def test_bad_input_is_refused_and_leaves_nothing(db, shop, make) -> None:
    with pytest.raises(DataError), db() as s, s.begin():
        make(s, shop)
    with db() as s:
        assert s.scalar(select(func.count()).select_from(PriceList)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
