"""The staff's view of all orders: tabs by state, search, filters — cheap on 100,000 orders.

Each tab is a set of states (``ix_orders_state_id`` serves it newest first); a tab's
count stops at :data:`COUNT_CAP` ("1,000+"), so drawing the tabs never scans the whole
table. Search is by exact id (``123`` or ``#123``), invoice number, payment reference or
reseller id, or a reseller's name; filters narrow by reseller and by day placed (in the
reader's zone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.orders.lifecycle import State
from hub.orders.models import Order
from hub.resellers.models import Reseller

S = State
TABS: dict[str, tuple[State, ...]] = {
    "to_pay": (S.PLACED, S.AWAITING_PAYMENT, S.PARTIALLY_PAID),
    "expiring": (S.AWAITING_PAYMENT,),
    "to_pack": (S.PAID,),
    "to_ship": (S.PACKED,),
    "shipped": (S.SHIPPED,),
    "done": (S.DELIVERED, S.COMPLETED),
    "cancelled": (S.CANCELLED, S.EXPIRED),
    "all": tuple(State),
}
EXPIRING_WITHIN = dt.timedelta(days=1)
COUNT_CAP = 1000


@dataclass(frozen=True)
class OrderFilter:
    tab: str = "to_pay"
    q: str = ""
    reseller: str = ""
    since: dt.datetime | None = None  # placed at or after (UTC)
    until: dt.datetime | None = None  # placed before (UTC)


def _tab(stmt: Select[Any], tab: str) -> Select[Any]:
    states = [s.value for s in TABS.get(tab, TABS["to_pay"])]
    if tab != "all":
        stmt = stmt.where(Order.state.in_(states))
    if tab == "expiring":
        stmt = stmt.where(Order.payment_due_at < utcnow() + EXPIRING_WITHIN)
    return stmt


def _filtered(stmt: Select[Any], f: OrderFilter) -> Select[Any]:
    q = f.q.strip().lstrip("#")
    if q:
        named = select(Reseller.id).where(func.lower(Reseller.name).like(f"%{q.lower()}%"))
        stmt = stmt.where(
            or_(
                Order.id == (int(q) if q.isdigit() and len(q) < 10 else -1),
                Order.invoice_number == q,
                Order.payment_reference == q,
                Order.reseller_id == q,
                Order.reseller_id.in_(named),
            )
        )
    if f.reseller:
        stmt = stmt.where(Order.reseller_id == f.reseller)
    if f.since:
        stmt = stmt.where(Order.placed_at >= f.since)
    if f.until:
        stmt = stmt.where(Order.placed_at < f.until)
    return stmt


def search(session: Session, f: OrderFilter, *, offset: int = 0, limit: int = 50) -> list[Order]:
    """One page of the tab's orders, newest first."""
    stmt = _filtered(_tab(select(Order), f.tab), f).order_by(Order.id.desc())
    return list(session.scalars(stmt.offset(offset).limit(limit)))


def counts(session: Session, f: OrderFilter) -> dict[str, int]:
    """Orders per tab under the same search and filters, each counted up to ``COUNT_CAP + 1``."""
    out = {}
    for tab in TABS:
        capped = _filtered(_tab(select(Order.id), tab), f).limit(COUNT_CAP + 1).subquery()
        out[tab] = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    return out


def names(session: Session, orders: list[Order]) -> dict[str, str]:
    ids = {o.reseller_id for o in orders}
    return dict(
        session.execute(select(Reseller.id, Reseller.name).where(Reseller.id.in_(ids))).all()
    )
