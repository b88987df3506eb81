"""Money from resellers: payments received, what is still owed (ageing), reseller statements.

An invoice is an order once it is placed; it asks for the transfer amount (goods + shipping
+ the order's unique code). A payment is a transfer finance confirmed, dated by the day the
reseller transferred (``transfer_date``, WIB) and counted at what finance received. An
order cancelled or expired withdraws its invoice on the day it was voided (from the audit
log); money already paid on it is then owed back to the reseller — the hub records no
refunds, so the statement shows it as a credit balance.

Outstanding "as of" a day counts the payments dated up to that day, so a closed month's
outstanding invoices stay what they were at its end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Optional

from sqlalchemy import Subquery, and_, func, literal, select
from sqlalchemy.orm import Session

from hub.audit.models import AuditEntry
from hub.orders.models import Order
from hub.payments.models import TransferConfirmation
from hub.periods.calendar import Period, utc_start, wib_date
from hub.purchasing.payables import bucket
from hub.reports.sql import money, msum, owing

ZERO = Decimal("0.00")
VOIDED = ("cancelled", "expired")
NOT_INVOICED = (*VOIDED, "draft")
BUCKET_WORDS = {
    "current": "Not due yet",
    "days_1_30": "1–30 days overdue",
    "days_31_60": "31–60 days overdue",
    "days_61_90": "61–90 days overdue",
    "over_90": "Over 90 days overdue",
}
_AMOUNT = Order.subtotal + Order.shipping_fee + Order.unique_code


@dataclass(frozen=True)
class Payment:
    day: dt.date
    confirmation_id: int
    order_id: int
    invoice: str
    reseller_id: str
    bank: str
    amount: Decimal


def payments_received(
    session: Session, period: Period, reseller: Optional[str] = None
) -> list[Payment]:
    """Confirmed transfers dated in ``period``, in date order."""
    stmt = (
        select(
            TransferConfirmation.transfer_date,
            TransferConfirmation.id,
            TransferConfirmation.order_id,
            TransferConfirmation.invoice_number,
            TransferConfirmation.reseller_id,
            TransferConfirmation.bank,
            func.coalesce(TransferConfirmation.received_amount, TransferConfirmation.amount),
        )
        .where(
            TransferConfirmation.status == "confirmed",
            TransferConfirmation.transfer_date >= period.start,
            TransferConfirmation.transfer_date < period.end,
        )
        .order_by(TransferConfirmation.transfer_date, TransferConfirmation.id)
    )
    if reseller:
        stmt = stmt.where(TransferConfirmation.reseller_id == reseller)
    return [
        Payment(d, cid, oid, inv, rid, bank, Decimal(a).quantize(Decimal("0.01")))
        for d, cid, oid, inv, rid, bank, a in session.execute(stmt)
    ]


@dataclass(frozen=True)
class Receivable:
    order_id: int
    invoice: str
    reseller_id: str
    placed_on: dt.date
    due_on: Optional[dt.date]
    amount: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid

    def days_overdue(self, as_of: dt.date) -> int:
        return 0 if self.due_on is None else (as_of - self.due_on).days

    def bucket(self, as_of: dt.date) -> str:
        return bucket(self.days_overdue(as_of))


def _paid_until(session: Session, as_of: dt.date) -> Subquery:
    return (
        select(
            TransferConfirmation.order_id.label("order_id"),
            msum(session, TransferConfirmation.received_amount).label("paid"),
        )
        .where(
            TransferConfirmation.status == "confirmed", TransferConfirmation.transfer_date <= as_of
        )
        .group_by(TransferConfirmation.order_id)
        .subquery("paid")
    )


def receivables(
    session: Session, as_of: dt.date, reseller: Optional[str] = None
) -> list[Receivable]:
    """Invoices placed up to ``as_of`` (WIB, inclusive) and not voided, less the payments dated
    up to that day, that still have something to pay; oldest first."""
    paid = _paid_until(session, as_of)
    paid_amount = func.coalesce(paid.c.paid, literal(0))
    stmt = (
        select(
            Order.id,
            Order.invoice_number,
            Order.reseller_id,
            Order.placed_at,
            Order.payment_due_at,
            Order.subtotal,
            Order.shipping_fee,
            Order.unique_code,
            paid_amount,
        )
        .outerjoin(paid, paid.c.order_id == Order.id)
        .where(
            Order.placed_at < utc_start(as_of + dt.timedelta(days=1)),
            Order.state.not_in(NOT_INVOICED),
            owing(session, _AMOUNT, paid_amount),
        )
        .order_by(Order.placed_at, Order.id)
    )
    if reseller:
        stmt = stmt.where(Order.reseller_id == reseller)
    out = []
    for oid, inv, rid, placed, due, sub, ship, code, p in session.execute(stmt):
        amount = (Decimal(sub) + Decimal(ship) + code).quantize(Decimal("0.01"))
        got = money(session, p)
        if got < amount:
            due_on = None if due is None else wib_date(due)
            out.append(Receivable(oid, inv or "", rid, wib_date(placed), due_on, amount, got))
    return out


@dataclass(frozen=True)
class Ageing:
    """Receivables per reseller by days overdue, as of a day."""

    as_of: dt.date
    rows: dict[str, dict[str, Decimal]]  # reseller -> bucket -> outstanding

    def totals(self) -> dict[str, Decimal]:
        out = {b: ZERO for b in BUCKET_WORDS}
        for buckets in self.rows.values():
            for b, v in buckets.items():
                out[b] += v
        return out


def ageing(session: Session, as_of: dt.date) -> Ageing:
    rows: dict[str, dict[str, Decimal]] = {}
    for r in receivables(session, as_of):
        buckets = rows.setdefault(r.reseller_id, {b: ZERO for b in BUCKET_WORDS})
        buckets[r.bucket(as_of)] += r.outstanding
    return Ageing(as_of, rows)


# --- statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    day: dt.date
    kind: str  # invoice | payment | void
    document: str
    debit: Decimal
    credit: Decimal


ENTRY_WORDS = {"invoice": "Invoice", "payment": "Payment received", "void": "Invoice withdrawn"}


@dataclass
class Statement:
    reseller_id: str
    opening: Decimal
    entries: list[Entry]

    @property
    def closing(self) -> Decimal:
        return self.opening + sum((e.debit - e.credit for e in self.entries), ZERO)


def _voided_on(session: Session, order_ids: Iterable[int]) -> dict[int, dt.date]:
    """The WIB day each voided order was cancelled or expired (its first such audit entry)."""
    ids = [str(i) for i in order_ids]
    out: dict[int, dt.date] = {}
    for start in range(0, len(ids), 5000):
        rows = session.execute(
            select(AuditEntry.entity_id, func.min(AuditEntry.at))
            .where(
                AuditEntry.entity == "order",
                AuditEntry.action.in_(("order.cancel", "order.expire")),
                AuditEntry.entity_id.in_(ids[start : start + 5000]),
            )
            .group_by(AuditEntry.entity_id)
        )
        out.update({int(str(k)): wib_date(at) for k, at in rows})
    return out


def _ledger(session: Session, until: dt.date, reseller: Optional[str]) -> dict[str, list[Entry]]:
    """Every reseller's entries dated before ``until`` (exclusive), in date order."""
    out: dict[str, list[Entry]] = defaultdict(list)
    end = utc_start(until)
    orders = select(
        Order.id, Order.reseller_id, Order.invoice_number, Order.placed_at, Order.state, _AMOUNT
    ).where(Order.placed_at < end, Order.state != "draft")
    if reseller:
        orders = orders.where(Order.reseller_id == reseller)
    voided: list[tuple[int, str, str, Decimal, dt.datetime]] = []  # placed orders
    for oid, rid, inv, placed, state, amount in session.execute(orders):
        assert placed is not None  # the query asks for placed orders
        amount = Decimal(amount).quantize(Decimal("0.01"))
        doc = inv or f"#{oid}"
        out[rid].append(Entry(wib_date(placed), "invoice", doc, amount, ZERO))
        if state in VOIDED:
            voided.append((oid, rid, doc, amount, placed))
    days = _voided_on(session, [v[0] for v in voided])
    for oid, rid, doc, amount, placed in voided:
        day = days.get(oid, wib_date(placed))
        if day < until:
            out[rid].append(Entry(day, "void", doc, ZERO, amount))
    pays = select(
        TransferConfirmation.reseller_id,
        TransferConfirmation.transfer_date,
        TransferConfirmation.invoice_number,
        func.coalesce(TransferConfirmation.received_amount, TransferConfirmation.amount),
    ).where(
        and_(TransferConfirmation.status == "confirmed", TransferConfirmation.transfer_date < until)
    )
    if reseller:
        pays = pays.where(TransferConfirmation.reseller_id == reseller)
    for rid, day, inv, amount in session.execute(pays):
        out[rid].append(Entry(day, "payment", inv, ZERO, Decimal(amount).quantize(Decimal("0.01"))))
    order = {"invoice": 0, "payment": 1, "void": 2}
    for entries in out.values():
        entries.sort(key=lambda e: (e.day, order[e.kind], e.document))
    return out


def statements(session: Session, period: Period, reseller: Optional[str] = None) -> list[Statement]:
    """Each reseller's (or one's) opening balance, entries in ``period`` and closing balance;
    resellers with neither a balance nor an entry are left out."""
    out = []
    for rid, entries in sorted(_ledger(session, period.end, reseller).items()):
        before = [e for e in entries if e.day < period.start]
        opening = sum((e.debit - e.credit for e in before), ZERO)
        inside = [e for e in entries if e.day >= period.start]
        if inside or opening:
            out.append(Statement(rid, opening, inside))
    return out
