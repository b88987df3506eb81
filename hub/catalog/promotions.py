"""Promotions as master data (no HTTP): a price cut on one product for a while.

People think in days of the business's calendar: "from 1 to 7 December" means from
1 December 00:00 WIB up to (not including) 8 December 00:00 WIB, stored in UTC as
``[valid_from, valid_to)``. A promotion sets a percentage off *or* a fixed unit price, from
a minimum quantity, for everyone, one group or one reseller. A ``birthday`` or
``anniversary`` promotion is a rule: :mod:`hub.catalog.celebrations` turns it into a
``standard`` promotion for a reseller on its contact's day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product, Promotion, ResellerGroup
from hub.catalog.pricelists import EDIT, VIEW, group_choices, group_id, product_id, reseller_known
from hub.core.i18n import DISPLAY_TZ
from hub.core.roles import Role
from hub.masterdata.fields import Field, Invalid
from hub.masterdata.kind import RecordKind

KINDS = (
    ("standard", "promotion:standard"),
    ("birthday", "promotion:birthday"),
    ("anniversary", "promotion:anniversary"),
)
ONE_DAY = dt.timedelta(days=1)


def start_of(day: dt.date) -> dt.datetime:
    """00:00 WIB of ``day``, in UTC."""
    return dt.datetime.combine(day, dt.time(), DISPLAY_TZ).astimezone(dt.timezone.utc)


def day_of(at: dt.datetime) -> dt.date:
    return at.astimezone(DISPLAY_TZ).date()


class Promotions(RecordKind[Promotion]):
    slug = "promotions"
    entity = "promotion"
    title = "Promotions"
    singular = "promotion"
    help = "A promotion replaces the price-list price when it is lower; birthday and anniversary rules give a reseller its own promotion on its contact's day."
    model = Promotion
    fields = (
        Field("name", "Name", required=True, max_length=100),
        Field("sku", "SKU", required=True, max_length=64),
        Field("kind", "Kind", kind="choice", options=KINDS, default="standard", listed=False),
        Field(
            "percent_off",
            "Percent off",
            kind="decimal",
            minimum=Decimal("0.01"),
            maximum=Decimal(100),
        ),
        Field("fixed_price", "Fixed unit price", kind="money", minimum=Decimal("0.01")),
        Field("min_quantity", "From quantity", kind="int", minimum=Decimal(1), default=1),
        Field("group", "For the group", kind="choice", choices=group_choices),
        Field("reseller", "For the reseller (id)", max_length=31, suggest="/resellers/suggest"),
        Field("valid_from", "Valid from", kind="date", required=True),
        Field("valid_until", "Valid until (inclusive)", kind="date", required=True),
        Field(
            "days",
            "Days a birthday or anniversary promotion lasts",
            kind="int",
            minimum=Decimal(1),
            maximum=Decimal(60),
            default=7,
            listed=False,
        ),
    )
    key = ("name",)
    searched = (Promotion.name, Product.sku, Product.name)
    order_by = (Promotion.valid_from.desc(), Promotion.name)
    scopes = ("kind",)
    view_roles = VIEW
    edit_roles = EDIT | {Role.MARKETING}

    def base(self) -> Select[Any]:
        return select(Promotion).join(Product, Product.id == Promotion.product_id)

    def narrow(self, session: Session, stmt: Select[Any], scope: Mapping[str, str]) -> Select[Any]:
        if scope.get("kind"):
            stmt = stmt.where(Promotion.kind == scope["kind"])
        return stmt

    def values(self, session: Session, rows: Sequence[Promotion]) -> list[dict[str, Any]]:
        skus = dict(
            session.execute(
                select(Product.id, Product.sku).where(Product.id.in_({r.product_id for r in rows}))
            ).all()
        )
        groups = dict(session.execute(select(ResellerGroup.id, ResellerGroup.name)).all())
        return [
            {
                "name": r.name,
                "sku": skus.get(r.product_id),
                "kind": r.kind,
                "percent_off": r.percent_off,
                "fixed_price": r.fixed_price,
                "min_quantity": r.min_quantity,
                "group": groups.get(r.group_id) if r.group_id else None,
                "reseller": r.reseller_id,
                "valid_from": day_of(r.valid_from),
                "valid_until": day_of(r.valid_to - ONE_DAY),
                "days": r.days,
            }
            for r in rows
        ]

    def assign(
        self, session: Session, row: Promotion, values: Mapping[str, Any], creating: bool
    ) -> None:
        wrong: dict[str, tuple[str, dict[str, Any]]] = {}
        percent, fixed = values.get("percent_off"), values.get("fixed_price")
        if (percent is None) == (fixed is None):
            wrong["percent_off"] = ("give a percentage off or a fixed price (one of them)", {})
        start, until = values.get("valid_from"), values.get("valid_until")
        if start and until and until < start:
            wrong["valid_until"] = ("the promotion ends before it starts", {})
        if values.get("group") and values.get("reseller"):
            wrong["reseller"] = ("a promotion is for one reseller or for one group, not both", {})
        if wrong:
            raise Invalid(wrong)
        row.name = str(values["name"]).strip()
        row.product_id = product_id(session, values.get("sku"))
        row.kind = values.get("kind") or "standard"
        row.percent_off, row.fixed_price = percent, fixed
        row.min_quantity = int(values.get("min_quantity") or 1)
        row.group_id = group_id(session, values.get("group"))
        row.reseller_id = reseller_known(session, values.get("reseller"))
        row.valid_from = start_of(start)  # type: ignore[arg-type]
        row.valid_to = start_of(until + ONE_DAY)  # type: ignore[operator,arg-type]
        row.days = int(values.get("days") or 7)
        if creating:
            row.active = True


PROMOTIONS = Promotions()
