"""The one lock of closed months: every ORM write (web, API, CLI, jobs) passes through it.

A listener on every :class:`~sqlalchemy.orm.Session`'s flush looks at what is about to be
written. :data:`DATED` says, as data, which records belong to a month (by which date) and
which of their columns are the month's *facts* — what its reports add up: an order's
reseller, amounts and lines, a payment's amount and date, an invoice's total. A flush that
would insert, delete or change the facts of a record dated in a closed month, or void it
(an order cancelled or expired, a receipt reversed, an invoice cancelled), is refused with
:class:`PeriodClosed` for everyone but the owner. What happens *later* to such a record is
not its month's fact and goes through: a January order is paid, packed and shipped in
February; a January supplier invoice is paid in March.

The owner's writes go through and are logged (``override`` in the month's events and in
the audit log): the owner answers for a closed month. Managers ask the owner to reopen it.

Concurrency: a close takes the month's advisory lock exclusively (PostgreSQL), every
flush that touches a past month takes it shared before reading the month's state, so a
write never slips into a month while it is being closed and frozen. SQLite serialises
writers anyway (``BEGIN IMMEDIATE``). Records dated in the current month or later skip
the look-up: a month can only be closed once it has ended.

Writes that bypass the ORM are outside this lock: the order hot path's Core insert (a new
order is dated now, in the open month) and bulk tools that write their own tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.acting import acting_for
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal, Role
from hub.inventory.models import StockReceipt
from hub.orders.models import Order, OrderLine
from hub.payments.models import TransferConfirmation
from hub.periods.calendar import month_of, today, wib_date
from hub.periods.models import PeriodEvent, PeriodState
from hub.purchasing.models import (
    CostMove,
    CreditApplication,
    CreditNote,
    InvoiceLine,
    Receipt,
    ReceiptLine,
    SupplierInvoice,
    SupplierPayment,
)
from shared.errors import Conflict


class PeriodClosed(Conflict):
    """A write into a closed month by someone other than the owner."""


@dataclass(frozen=True)
class Dated:
    """A kind of record that belongs to the month of its date.

    ``dates``: the attributes giving its date, first set one wins (a record without one, like
    a draft order, is in no month yet). ``facts``: the columns its month's figures are made
    of (None: all of them). ``voided``: (state column, states that undo the record).
    ``parent``: for lines, the record (model, foreign key) whose date and lock they share.
    """

    model: type[Any]
    noun: str  # message id: "order {ref}"
    ref: str  # attribute shown in the message
    dates: tuple[str, ...] = ()
    facts: Optional[frozenset[str]] = None
    voided: tuple[str, frozenset[str]] = ("", frozenset())
    parent: Optional[tuple[type[Any], str]] = None


def _f(*names: str) -> frozenset[str]:
    return frozenset(names)


DATED: tuple[Dated, ...] = (
    Dated(
        Order,
        "order #{ref}",
        "id",
        ("placed_at",),
        _f(
            "reseller_id",
            "currency",
            "subtotal",
            "shipping_fee",
            "unique_code",
            "payment_reference",
            "invoice_number",
            "placed_at",
            "offer_id",
            "source",
        ),
        ("state", _f("cancelled", "expired")),
    ),
    Dated(OrderLine, "a line of order #{ref}", "order_id", parent=(Order, "order_id")),
    Dated(
        TransferConfirmation,
        "transfer #{ref}",
        "id",
        ("transfer_date",),
        _f("order_id", "reseller_id", "transfer_date", "amount", "received_amount", "status"),
    ),
    Dated(
        Receipt,
        "goods receipt {ref}",
        "number",
        ("posted_at",),
        _f("order_id", "warehouse_id", "freight", "duty", "other_costs", "posted_at"),
        ("state", _f("reversed")),
    ),
    Dated(
        ReceiptLine, "a line of goods receipt #{ref}", "receipt_id", parent=(Receipt, "receipt_id")
    ),
    Dated(
        SupplierInvoice,
        "supplier invoice {ref}",
        "number",
        ("invoice_date",),
        _f(
            "supplier_id",
            "order_id",
            "number",
            "invoice_date",
            "due_on",
            "subtotal",
            "tax",
            "total",
        ),
        ("state", _f("cancelled")),
    ),
    Dated(
        InvoiceLine,
        "a line of supplier invoice #{ref}",
        "invoice_id",
        parent=(SupplierInvoice, "invoice_id"),
    ),
    Dated(SupplierPayment, "supplier payment #{ref}", "id", ("paid_on",)),
    Dated(
        CreditNote,
        "credit note {ref}",
        "number",
        ("issued_on",),
        _f("supplier_id", "number", "issued_on", "amount"),
    ),
    Dated(CreditApplication, "credit applied #{ref}", "id", ("created_at",)),
    Dated(StockReceipt, "stock receipt #{ref}", "id", ("received_at",)),
    Dated(CostMove, "stock cost move #{ref}", "id", ("at",)),
)
_BY_MODEL = {d.model: d for d in DATED}


@dataclass
class _Touch:
    """One record a flush would change in a month before the current one."""

    dated: Dated
    obj: Any
    month: dt.date
    ref: Any
    day: dt.date


@dataclass
class _Flush:
    session: Session
    current: dt.date = field(default_factory=lambda: month_of(today()))
    touches: list[_Touch] = field(default_factory=list)

    def add(self, dated: Dated, obj: Any, when: Any, ref: Any) -> None:
        if when is None:
            return
        month = month_of(when)
        if month < self.current:
            self.touches.append(_Touch(dated, obj, month, ref, wib_date(when)))


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v is not None), None)


def _dates_now(obj: Any, dated: Dated) -> Any:
    return _first(getattr(obj, a, None) for a in dated.dates)


def _dates_before(obj: Any, dated: Dated) -> Any:
    """The record's date as loaded from the database (before this flush's changes)."""
    state = inspect(obj)
    values = []
    for a in dated.dates:
        hist = state.attrs[a].history
        values.append(hist.deleted[0] if hist.deleted else getattr(obj, a, None))
    return _first(values)


def _changed_facts(obj: Any, dated: Dated) -> bool:
    state = inspect(obj)
    names = dated.facts if dated.facts is not None else state.mapper.column_attrs.keys()
    if any(state.attrs[n].history.has_changes() for n in names):
        return True
    column, states = dated.voided
    if column:
        hist = state.attrs[column].history
        return bool(hist.added) and hist.added[0] in states and hist.deleted != hist.added
    return False


def _parent_date(session: Session, dated: Dated, obj: Any, before: bool) -> tuple[Any, Any]:
    """(date, ref) of a line's parent record."""
    assert dated.parent is not None
    model, fk = dated.parent
    key = getattr(obj, fk, None)
    if key is None:
        return None, None
    parent = session.get(model, key)
    if parent is None:
        return None, key
    pdated = _BY_MODEL[model]
    when = _dates_before(parent, pdated) if before else _dates_now(parent, pdated)
    return when, key


def _touch(flush: _Flush, dated: Dated, obj: Any, *, before: bool) -> None:
    """Note the month ``obj`` is dated in: as loaded (``before``) or as about to be written."""
    if dated.parent is not None:
        when, ref = _parent_date(flush.session, dated, obj, before)
    else:
        when = _dates_before(obj, dated) if before else _dates_now(obj, dated)
        ref = getattr(obj, dated.ref, None)
    flush.add(dated, obj, when, ref)


def _collect(session: Session) -> _Flush:
    flush = _Flush(session)
    for objects, before in ((session.new, False), (session.deleted, True)):
        for obj in objects:
            if (dated := _BY_MODEL.get(type(obj))) is not None:
                _touch(flush, dated, obj, before=before)
    for obj in session.dirty:
        dated = _BY_MODEL.get(type(obj))
        if dated is None or not session.is_modified(obj, include_collections=False):
            continue
        if dated.parent is not None:
            _touch(flush, dated, obj, before=True)
        elif _changed_facts(obj, dated):  # from its month, and into the month it moves to
            _touch(flush, dated, obj, before=True)
            _touch(flush, dated, obj, before=False)
    return flush


def lock_key(month: dt.date) -> str:
    return f"synchub:period:{month:%Y-%m}"


def closed_months(session: Session, months: Iterable[dt.date], *, share_lock: bool) -> set[dt.date]:
    """Which of ``months`` are closed; with ``share_lock`` (PostgreSQL) hold each month's
    advisory lock shared until the transaction ends, so no close runs meanwhile."""
    wanted = sorted(set(months))
    if not wanted:
        return set()
    if share_lock and session.get_bind().dialect.name == "postgresql":
        for m in wanted:  # in order: two writers never wait on each other crosswise
            session.execute(
                text("SELECT pg_advisory_xact_lock_shared(hashtext(:k))"), {"k": lock_key(m)}
            )
    rows = session.execute(
        select(PeriodState.month).where(
            PeriodState.month.in_(wanted), PeriodState.state == "closed"
        )
    )
    return {m for (m,) in rows}


HINT = (
    "only the owner changes a closed month: ask the owner to reopen {month} "
    "(Reports → Periods), with the reason"
)


def message_id(dated: Dated) -> str:
    """The refusal's message id for one kind of record (each is in the catalogues)."""
    return "{month} is closed: " + dated.noun + " dated {day} can no longer change"


def _refusal(t: _Touch) -> PeriodClosed:
    exc = translatable(
        PeriodClosed,
        message_id(t.dated),
        HINT,
        month=f"{t.month:%Y-%m}",
        ref=t.ref,
        day=t.day.isoformat(),
    )
    return exc  # type: ignore[return-value]


def _log_override(session: Session, owner: Principal, touches: list[_Touch]) -> None:
    seen: set[tuple[dt.date, str, str]] = set()
    for t in touches:
        key = (t.month, t.dated.model.__tablename__, str(t.ref))
        if key in seen:
            continue
        seen.add(key)
        what = t.dated.noun.format(ref=t.ref)
        session.add(
            PeriodEvent(
                month=t.month, action="override", actor=owner.username, reason=what, at=utcnow()
            )
        )
        record(
            session,
            owner,
            "period.override",
            t.dated.model.__tablename__,
            t.ref,
            after={"month": f"{t.month:%Y-%m}", "changed": what},
        )


def check_flush(session: Session, _context: Any = None, _instances: Any = None) -> None:
    """The flush listener: refuse (or, for the owner, log) writes into closed months."""
    if not (session.new or session.dirty or session.deleted):
        return
    flush = _collect(session)
    if not flush.touches:
        return
    closed = closed_months(session, (t.month for t in flush.touches), share_lock=True)
    hits = [t for t in flush.touches if t.month in closed]
    if not hits:
        return
    who = acting_for(session)
    if who is not None and who.role is Role.OWNER:
        _log_override(session, who, hits)
        return
    raise _refusal(hits[0])


def install() -> None:
    """Listen on every session of the process (idempotent)."""
    if not event.contains(Session, "before_flush", check_flush):
        event.listen(Session, "before_flush", check_flush)


install()
