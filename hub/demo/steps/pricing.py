"""Demo step: what resellers pay (``hub.catalog.price_setup``, read by ``hub.catalog.pricing``).

* "Harga Reseller" for everyone: 80 % of the list price;
* the group "Grosir Jabodetabek" (Jakarta's resellers) gets its own list with a quantity
  break: 78 % from 1 unit, 75 % from 24 units;
* a promotion for the group: 10 % off one product for the next two weeks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from hub.catalog.models import Product
from hub.catalog.price_setup import PriceBreak, create_group, create_price_list, create_promotion
from hub.core.db import transaction, utcnow
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import staff

GROUP = "Grosir Jabodetabek"
PROMOTED = "NW-0043"  # Ipoh Coffee


def _of(price: Decimal, percent: int) -> Decimal:
    return (price * percent / 100).quantize(Decimal("1"))


def seed(demo: Demo) -> str:
    ops = demo.as_user(staff(Role.OPERATIONS))
    with transaction(demo.factory) as s:
        products = list(s.execute(select(Product.id, Product.list_price)).tuples())
        create_price_list(
            s, ops, "Harga Reseller", [PriceBreak(pid, _of(lp, 80)) for pid, lp in products]
        )
        group = create_group(s, ops, GROUP, demo.resellers)
        demo.facts["group_id"] = group.id  # the portal step sets its down payment
        create_price_list(
            s,
            ops,
            f"{GROUP} (grosir)",
            [PriceBreak(pid, _of(lp, 78)) for pid, lp in products]
            + [PriceBreak(pid, _of(lp, 75), min_quantity=24) for pid, lp in products],
            group_id=group.id,
        )
        start = utcnow() - dt.timedelta(days=1)
        promotion = create_promotion(
            s,
            ops,
            name="Promo Kopi Desember",
            product_id=demo.products[PROMOTED],
            percent_off=Decimal(10),
            group_id=group.id,
            valid_from=start,
            valid_to=start + dt.timedelta(days=15),
        )
        demo.facts["promotion_id"] = promotion.id  # the campaigns step announces it
    return (
        f"price lists 'Harga Reseller' (everyone, 80%) and '{GROUP} (grosir)' (78%, 75% from 24);"
        f" group '{GROUP}' of {len(demo.resellers)} resellers; promotion 10% off {PROMOTED}"
    )
