"""Closing and reopening months, and what a month still has open before it is closed.

Finance or the owner closes a month once it has ended (WIB); from then on
:mod:`hub.periods.guard` refuses changes to what is dated in it. Only the owner reopens
one, with a reason; every close, reopen and owner's change is in the month's events and in
the audit log. Services never commit: the caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal, Role
from hub.orders.models import Order
from hub.payments.models import TransferConfirmation
from hub.periods.calendar import Period, add_months, month_of, today, utc_start
from hub.periods.guard import lock_key
from hub.periods.models import PeriodEvent, PeriodState
from hub.purchasing.models import SupplierInvoice
from shared.errors import Conflict, DataError, Forbidden

CLOSERS = frozenset({Role.OWNER, Role.FINANCE})
MIN_REASON = 10


def _who(principal: Optional[Principal]) -> str:
    return principal.username if principal is not None and principal.username else "system"


def _lock(session: Session, month: dt.date) -> PeriodState:
    """The month's row, locked against concurrent writes into the month (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": lock_key(month)})
    row = session.get(PeriodState, month, populate_existing=True)
    if row is None:
        row = PeriodState(month=month, state="open", version=0)
        session.add(row)
    return row


def state_of(session: Session, month: dt.date) -> Optional[PeriodState]:
    return session.get(PeriodState, month)


def is_closed(session: Session, month: dt.date) -> bool:
    row = state_of(session, month)
    return row is not None and row.state == "closed"


def close(
    session: Session,
    principal: Optional[Principal],
    period: Period,
    *,
    now: Optional[dt.datetime] = None,
) -> PeriodState:
    """Close a month that has ended; refuses the current month, a future one, a closed one."""
    if principal is not None and principal.role not in CLOSERS:
        raise translatable(
            Forbidden, "only finance or the owner may close a month", "ask finance or the owner"
        )
    if period.kind != "month":
        raise translatable(
            DataError, "close one month at a time (2026-01), not {period}", period=period.key
        )
    current = month_of(today(now))
    if period.start >= current:
        raise translatable(
            DataError,
            "{month} has not ended yet: a month can be closed from the first day of the next",
            "close it on or after {next}",
            month=period.key,
            next=add_months(period.start, 1).isoformat(),
        )
    row = _lock(session, period.start)
    if row.state == "closed":
        raise translatable(
            Conflict, "{month} is already closed", "reopen it first (owner only)", month=period.key
        )
    at = now or utcnow()
    row.state, row.version, row.closed_at, row.closed_by = (
        "closed",
        row.version + 1,
        at,
        _who(principal),
    )
    session.add(PeriodEvent(month=period.start, action="close", actor=_who(principal), at=at))
    record(session, principal, "period.close", "period", period.key, after={"version": row.version})
    session.flush()
    return row


def reopen(
    session: Session,
    principal: Optional[Principal],
    period: Period,
    reason: str,
    *,
    now: Optional[dt.datetime] = None,
) -> PeriodState:
    """The owner reopens a closed month, saying why (at least :data:`MIN_REASON` characters)."""
    if principal is not None and principal.role is not Role.OWNER:
        raise translatable(Forbidden, "only the owner may reopen a closed month", "ask the owner")
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise translatable(
            DataError,
            "say why {month} is reopened (at least {n} characters)",
            "the reason is kept in the audit log",
            month=period.key,
            n=MIN_REASON,
        )
    row = _lock(session, period.start)
    if row.state != "closed":
        raise translatable(Conflict, "{month} is not closed", "nothing to reopen", month=period.key)
    at = now or utcnow()
    row.state, row.reopened_at, row.reopened_by, row.reason = "open", at, _who(principal), reason
    session.add(
        PeriodEvent(
            month=period.start, action="reopen", actor=_who(principal), reason=reason, at=at
        )
    )
    record(session, principal, "period.reopen", "period", period.key, after={"reason": reason})
    session.flush()
    return row


def events(session: Session, month: dt.date) -> list[PeriodEvent]:
    return list(
        session.scalars(
            select(PeriodEvent).where(PeriodEvent.month == month).order_by(PeriodEvent.id)
        )
    )


@dataclass(frozen=True)
class MonthStatus:
    period: Period
    state: Optional[PeriodState]
    open_items: Optional[OpenItems] = None

    @property
    def closed(self) -> bool:
        return self.state is not None and self.state.state == "closed"


def recent(
    session: Session, count: int = 12, now: Optional[dt.datetime] = None
) -> list[MonthStatus]:
    """The last ``count`` ended months, newest first, with their state."""
    current = month_of(today(now))
    months = [add_months(current, -n) for n in range(1, count + 1)]
    rows = {
        r.month: r
        for r in session.scalars(select(PeriodState).where(PeriodState.month.in_(months)))
    }
    return [MonthStatus(Period(m), rows.get(m)) for m in months]


@dataclass(frozen=True)
class OpenItems:
    """What is still open in a month: once it is closed, these can no longer be voided or
    (for pending transfers dated in it) confirmed without the owner."""

    unpaid_orders: int
    pending_transfers: int
    open_supplier_invoices: int

    @property
    def any(self) -> bool:
        return bool(self.unpaid_orders or self.pending_transfers or self.open_supplier_invoices)


def open_items(session: Session, period: Period) -> OpenItems:
    start, end = utc_start(period.start), utc_start(period.end)
    unpaid = session.scalar(
        select(func.count(Order.id)).where(
            Order.placed_at >= start,
            Order.placed_at < end,
            Order.state.in_(("placed", "awaiting_payment", "partially_paid")),
        )
    )
    pending = session.scalar(
        select(func.count(TransferConfirmation.id)).where(
            TransferConfirmation.transfer_date >= period.start,
            TransferConfirmation.transfer_date < period.end,
            TransferConfirmation.status == "pending",
        )
    )
    invoices = session.scalar(
        select(func.count(SupplierInvoice.id)).where(
            SupplierInvoice.invoice_date >= period.start,
            SupplierInvoice.invoice_date < period.end,
            SupplierInvoice.state.in_(("held", "matched")),
        )
    )
    return OpenItems(int(unpaid or 0), int(pending or 0), int(invoices or 0))
