"""Making what pricing reads: reseller groups, price lists with quantity breaks, promotions.

:mod:`hub.catalog.pricing` decides which price applies; this module is the one place
that creates its inputs, checked and audited (``reseller_group.create``,
``price_list.create``, ``promotion.create``), so a hub never needs rows written by hand
before it can sell. The caller commits (docs/transactions.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import (
    PriceList,
    PriceListItem,
    Product,
    Promotion,
    ResellerGroup,
    ResellerGroupMember,
)
from hub.core.roles import Principal
from hub.resellers.models import Reseller
from shared.errors import DataError


@dataclass(frozen=True)
class PriceBreak:
    """From ``min_quantity`` units on, one unit of the product costs ``unit_price``."""

    product_id: int
    unit_price: Decimal
    min_quantity: int = 1


def _name(name: str, what: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise DataError(
            "a {what} needs a name of 1 to 100 characters, got {name}", what=what, name=repr(name)
        )
    return name


def _resellers_known(session: Session, ids: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(ids))
    known = set(session.scalars(select(Reseller.id).where(Reseller.id.in_(wanted))))
    missing = [r for r in wanted if r not in known]
    if missing:
        raise DataError(
            "no reseller {reseller_ids}",
            reseller_ids=", ".join(map(repr, missing)),
            hint="enrol the reseller first, or check its id on the resellers page",
        )
    return wanted


def _products_known(session: Session, ids: Iterable[int]) -> None:
    wanted = set(ids)
    known = set(session.scalars(select(Product.id).where(Product.id.in_(wanted))))
    if wanted - known:
        raise DataError(
            "no product with id {ids}", hint="import it first", ids=str(sorted(wanted - known))
        )


def _audience(session: Session, what: str, reseller_id: str | None, group_id: int | None) -> None:
    """Whom a list or promotion is for: everyone (both None), one known reseller or one group."""
    if reseller_id is not None and group_id is not None:
        raise DataError("a {what} is for one reseller or one group, not both", what=what)
    if reseller_id is not None:
        _resellers_known(session, [reseller_id])
    if group_id is not None and session.get(ResellerGroup, group_id) is None:
        raise DataError("no reseller group #{group_id}", group_id=group_id)


def create_group(
    session: Session, principal: Principal | None, name: str, members: Sequence[str] = ()
) -> ResellerGroup:
    """A reseller group (unique name, case-insensitive) with its first members."""
    name = _name(name, "reseller group")
    clash = session.scalar(
        select(ResellerGroup.id).where(func.lower(ResellerGroup.name) == name.lower())
    )
    if clash is not None:
        raise DataError(
            "a reseller group named {name} exists", hint="pick another name", name=repr(name)
        )
    group = ResellerGroup(name=name)
    session.add(group)
    session.flush()
    ids = _resellers_known(session, members)
    session.add_all(ResellerGroupMember(group_id=group.id, reseller_id=r) for r in ids)
    session.flush()
    record(
        session,
        principal,
        "reseller_group.create",
        "reseller_group",
        group.id,
        None,
        {"name": name, "members": ids},
    )
    return group


def create_price_list(
    session: Session,
    principal: Principal | None,
    name: str,
    items: Sequence[PriceBreak],
    *,
    reseller_id: str | None = None,
    group_id: int | None = None,
) -> PriceList:
    """A price list for everyone, one group or one reseller, with its quantity breaks."""
    name = _name(name, "price list")
    _audience(session, "price list", reseller_id, group_id)
    problems: list[str] = []
    for i in items:
        if not i.unit_price > 0:
            problems.append(f"product #{i.product_id}: the price must be positive")
        if i.min_quantity < 1:
            problems.append(f"product #{i.product_id}: the quantity break must be at least 1")
    breaks = [(i.product_id, i.min_quantity) for i in items]
    if len(set(breaks)) != len(breaks):
        problems.append("a product has the same quantity break twice")
    if problems:
        raise DataError(
            "price list {name}: {listed}",
            name=repr(name),
            listed="; ".join(problems),
            hint="fix the rows listed",
            problems=problems,
        )
    _products_known(session, (i.product_id for i in items))
    plist = PriceList(name=name, reseller_id=reseller_id, group_id=group_id, active=True)
    session.add(plist)
    session.flush()
    session.add_all(
        PriceListItem(
            price_list_id=plist.id,
            product_id=i.product_id,
            min_quantity=i.min_quantity,
            unit_price=i.unit_price,
        )
        for i in items
    )
    session.flush()
    record(
        session,
        principal,
        "price_list.create",
        "price_list",
        plist.id,
        None,
        {"name": name, "reseller_id": reseller_id, "group_id": group_id, "items": len(items)},
    )
    return plist


def create_promotion(
    session: Session,
    principal: Principal | None,
    *,
    name: str,
    product_id: int,
    valid_from: dt.datetime,
    valid_to: dt.datetime,
    percent_off: Decimal | None = None,
    fixed_price: Decimal | None = None,
    min_quantity: int = 1,
    reseller_id: str | None = None,
    group_id: int | None = None,
) -> Promotion:
    """A price cut on one product in ``[valid_from, valid_to)``: a percentage *or* a fixed price."""
    name = _name(name, "promotion")
    if (percent_off is None) == (fixed_price is None):
        raise DataError("a promotion sets either a percentage off or a fixed price")
    if percent_off is not None and not Decimal(0) < percent_off < Decimal(100):
        raise DataError(
            "percent off must be between 0 and 100, got {value}", value=str(percent_off)
        )
    if fixed_price is not None and not fixed_price > 0:
        raise DataError("a fixed price must be positive, got {value}", value=str(fixed_price))
    if valid_from.tzinfo is None or valid_to.tzinfo is None or valid_to <= valid_from:
        raise DataError("a promotion needs time-zone aware dates, its end after its start")
    if min_quantity < 1:
        raise DataError("the minimum quantity must be at least 1")
    _audience(session, "promotion", reseller_id, group_id)
    _products_known(session, [product_id])
    promo = Promotion(
        name=name,
        product_id=product_id,
        reseller_id=reseller_id,
        group_id=group_id,
        percent_off=percent_off,
        fixed_price=fixed_price,
        min_quantity=min_quantity,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    session.add(promo)
    session.flush()
    record(
        session,
        principal,
        "promotion.create",
        "promotion",
        promo.id,
        None,
        {
            "name": name,
            "product_id": product_id,
            "percent_off": percent_off,
            "fixed_price": fixed_price,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    return promo
