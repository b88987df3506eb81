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
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_, select, union_all
from sqlalchemy.orm import Session, raiseload

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
NO_LINES = raiseload(Order.lines)  # a list row shows totals, never lines: not one query more


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


def _filtered(stmt: Any, f: OrderFilter, named: list[str]) -> Any:
    q = f.q.strip().lstrip("#")
    if q:
        # every term can use an index (SQLite's OR-by-union; PostgreSQL's bitmap OR)
        terms = [Order.invoice_number == q, Order.payment_reference == q, Order.reseller_id == q]
        if q.isdigit() and len(q) < 10:
            terms.append(Order.id == int(q))
        if named:
            terms.append(Order.reseller_id.in_(named))
        stmt = stmt.where(or_(*terms))
    if f.reseller:
        stmt = stmt.where(Order.reseller_id == f.reseller)
    if f.since:
        stmt = stmt.where(Order.placed_at >= f.since)
    if f.until:
        stmt = stmt.where(Order.placed_at < f.until)
    return stmt


def _named(session: Session, f: OrderFilter) -> list[str]:
    """Resellers whose name holds the search words (resolved first: a short list, not a scan);
    looked up once per unit of work, which asks for the page and for the tabs' counts."""
    q = f.q.strip().lstrip("#").lower()
    if not q:
        return []
    memo = session.info.setdefault("orders.named", {})
    if q not in memo:
        memo[q] = list(
            session.scalars(
                select(Reseller.id).where(func.lower(Reseller.name).like(f"%{q}%")).limit(200)
            )
        )
    return list(memo[q])


def _narrowed(f: OrderFilter) -> bool:
    return bool(f.q.strip() or f.reseller or f.since or f.until)


def search(session: Session, f: OrderFilter, *, offset: int = 0, limit: int = 50) -> list[Order]:
    """One page of the tab's orders, newest first."""
    if not _narrowed(f) and f.tab not in ("all", "expiring"):
        # Newest first per state on its own index range, merged here: a page costs a few
        # index reads, never a sort (or a backwards scan) of every order in those states.
        tops = [
            select(Order.id)
            .where(Order.state == s.value)
            .order_by(Order.id.desc())
            .limit(offset + limit)
            .subquery()
            for s in TABS[f.tab]
        ]
        merged = union_all(*(select(t.c.id) for t in tops)).subquery()
        page = select(merged.c.id).order_by(merged.c.id.desc()).offset(offset).limit(limit)
        ids = list(session.scalars(page))
        listed = select(Order).where(Order.id.in_(ids)).options(NO_LINES)
        found = {o.id: o for o in session.scalars(listed)}
        return [found[i] for i in ids if i in found]
    stmt = _filtered(_tab(select(Order).options(NO_LINES), f.tab), f, _named(session, f))
    return list(session.scalars(stmt.order_by(Order.id.desc()).offset(offset).limit(limit)))


def _capped(stmt: Select[Any]) -> Any:
    return select(func.count()).select_from(stmt.limit(COUNT_CAP + 1).subquery()).scalar_subquery()


@cache
def _counts_statement() -> Select[Any]:
    """Each state's orders counted on ``ix_orders_state_id`` up to ``COUNT_CAP + 1``, and the
    expiring ones (due before ``:soon``) on ``ix_orders_state_due``: one statement, built once."""
    columns = [_capped(select(Order.id).where(Order.state == s.value)) for s in State]
    due = Order.payment_due_at < bindparam("soon")
    columns.append(_capped(select(Order.id).where(Order.state == S.AWAITING_PAYMENT.value, due)))
    return select(*columns)


def _capped_counts(session: Session) -> dict[str, int]:
    """Every tab's count from the states' capped counts: a tab adds its states (a sum over the
    cap means "1,000+" whether or not a state was cut short)."""
    row = session.execute(_counts_statement(), {"soon": utcnow() + EXPIRING_WITHIN}).one()
    *per_state, expiring = row
    n = dict(zip(State, per_state))
    out = {tab: sum(n[s] for s in states) for tab, states in TABS.items()}
    out["expiring"] = expiring
    return out


def counts(session: Session, f: OrderFilter) -> dict[str, int]:
    """Orders per tab under the same search and filters, each counted up to ``COUNT_CAP + 1``.

    Without a search or filter each tab is a capped count on its index; with one, one pass
    over the (few) matching orders, grouped by state.
    """
    if not _narrowed(f):
        return _capped_counts(session)
    soon = utcnow() + EXPIRING_WITHIN
    expiring = case((Order.payment_due_at < soon, 1), else_=0)
    stmt = _filtered(
        select(Order.state, func.count(), func.sum(expiring)).group_by(Order.state),
        f,
        _named(session, f),
    )
    per_state = {state: (int(n), int(e or 0)) for state, n, e in session.execute(stmt)}
    out = {
        tab: sum(per_state.get(s.value, (0, 0))[0] for s in states) for tab, states in TABS.items()
    }
    out["expiring"] = per_state.get(S.AWAITING_PAYMENT.value, (0, 0))[1]
    return out


def names(session: Session, orders: list[Order]) -> dict[str, str]:
    ids = {o.reseller_id for o in orders}
    return dict(
        session.execute(select(Reseller.id, Reseller.name).where(Reseller.id.in_(ids))).all()
    )
