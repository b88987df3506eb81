"""Payables: supplier invoices matched three ways, due dates from terms, payments, credit
notes, and the ageing of what is still owed.

An invoice is registered *matched* or *held* by :func:`hub.purchasing.matching.match`;
receipts posted or reversed later re-run the match (:func:`rematch_order`). Finance
approves a matched invoice, or a held one with an override reason, then pays it in one or
more payments; a supplier's credit note can settle part of it. Invariants: an invoice's
``paid`` is the sum of its payments, ``credited`` the sum of credit applied to it, and
``paid + credited <= total``. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.purchasing.lifecycle import INVOICE, OPEN_INVOICE, SYSTEM
from hub.purchasing.matching import InvoicedLine, OrderedLine, Tolerance, match
from hub.purchasing.models import (
    CENT,
    CreditApplication,
    CreditNote,
    InvoiceLine,
    PurchaseOrder,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from hub.purchasing.query import paged
from hub.purchasing.schemas import MAX_AMOUNT, CreditNoteIn, InvoiceCreate, PaymentIn
from hub.purchasing.service import actor_of, get_order, who
from hub.purchasing.suppliers import get_supplier
from shared.errors import Conflict, DataError, NotFound, problem

INVOICEABLE_PO = frozenset({"sent", "partly_received", "received", "closed"})
SETTLED = frozenset({"approved", "partly_paid", "paid"})
ZERO = Decimal("0.00")
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


def due_date(invoice_date: dt.date, terms_days: int) -> dt.date:
    return invoice_date + dt.timedelta(days=terms_days)


def get_invoice(session: Session, invoice_id: int, *, lock: bool = False) -> SupplierInvoice:
    stmt = select(SupplierInvoice).where(SupplierInvoice.id == invoice_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    inv = session.execute(stmt).scalar()
    if inv is None:
        raise NotFound(
            "no supplier invoice #{invoice_id}", hint="see the invoices list", invoice_id=invoice_id
        )
    return inv


def _snapshot(inv: SupplierInvoice) -> dict[str, object]:
    return {"state": inv.state, "total": inv.total, "paid": inv.paid, "credited": inv.credited}


def _ordered(
    session: Session, po: PurchaseOrder, other_than: Optional[int]
) -> dict[int, OrderedLine]:
    """The order's lines with units already on the supplier's other live invoices."""
    stmt = (
        select(InvoiceLine.order_line_id, func.sum(InvoiceLine.quantity))
        .join(SupplierInvoice, SupplierInvoice.id == InvoiceLine.invoice_id)
        .where(SupplierInvoice.order_id == po.id, SupplierInvoice.state != "cancelled")
        .group_by(InvoiceLine.order_line_id)
    )
    if other_than is not None:
        stmt = stmt.where(SupplierInvoice.id != other_than)
    before = dict(session.execute(stmt).all())
    return {
        ln.id: OrderedLine(
            ln.id, ln.product_id, Decimal(ln.unit_cost), ln.received, int(before.get(ln.id, 0))
        )
        for ln in po.lines
    }


def _match(session: Session, inv: SupplierInvoice, po: PurchaseOrder, tol: Tolerance) -> list[str]:
    lines = [
        InvoicedLine(ln.order_line_id, ln.quantity, Decimal(ln.unit_price)) for ln in inv.lines
    ]
    return match(lines, _ordered(session, po, inv.id), Decimal(inv.tax), Decimal(inv.total), tol)


def register_invoice(
    session: Session,
    principal: Optional[Principal],
    data: InvoiceCreate,
    tol: Tolerance = Tolerance(),
) -> SupplierInvoice:
    """Record a supplier's invoice for a purchase order; it comes out matched or held."""
    po = get_order(session, data.order_id, lock=True)
    if po.state not in INVOICEABLE_PO:
        raise Conflict(
            "{number} is {state}: it takes no invoice",
            hint="invoices follow a sent order",
            number=po.number,
            state=po.state,
        )
    supplier = get_supplier(session, po.supplier_id)
    number = data.number.strip()
    taken = session.scalar(
        select(SupplierInvoice.id).where(
            SupplierInvoice.supplier_id == supplier.id, SupplierInvoice.number == number
        )
    )
    if taken is not None:
        raise translatable(
            Conflict,
            "{code} invoice {number} is already booked (#{id})",
            "a supplier's invoice is booked once: open it instead",
            code=supplier.code,
            number=repr(number),
            id=taken,
        )
    mine = {ln.id for ln in po.lines}
    foreign = [ln.order_line_id for ln in data.lines if ln.order_line_id not in mine]
    if foreign:
        raise DataError(
            "lines {foreign} are not lines of {number}",
            hint="reload the order",
            foreign=foreign,
            number=po.number,
        )
    inv = SupplierInvoice(
        supplier_id=supplier.id,
        order_id=po.id,
        number=number,
        tax_invoice=data.tax_invoice.strip(),
        invoice_date=data.invoice_date,
        due_on=due_date(data.invoice_date, supplier.payment_terms_days),
        subtotal=sum((ln.unit_price * ln.quantity for ln in data.lines), Decimal(0)).quantize(CENT),
        tax=data.tax,
        total=data.total,
        paid=Decimal(0),
        credited=Decimal(0),
        created_by=who(principal),
    )
    too_big = [n for n, v in (("subtotal", inv.subtotal), ("total", inv.total)) if v > MAX_AMOUNT]
    if too_big:
        raise DataError(
            "invoice {too_big} over Rp {max_amount}",
            hint="check the amounts",
            too_big=", ".join(too_big),
            max_amount=MAX_AMOUNT,
        )
    inv.lines = [
        InvoiceLine(order_line_id=ln.order_line_id, quantity=ln.quantity, unit_price=ln.unit_price)
        for ln in data.lines
    ]
    session.add(inv)
    session.flush()
    inv.problems = _match(session, inv, po, tol)
    inv.state = "held" if inv.problems else "matched"
    session.flush()
    record(
        session,
        principal,
        "supplier_invoice.register",
        "supplier_invoice",
        inv.id,
        None,
        _snapshot(inv),
    )
    return inv


def rematch_order(session: Session, po: PurchaseOrder, tol: Tolerance = Tolerance()) -> None:
    """After receipts changed: matched and held invoices of the order are matched again."""
    for inv in session.scalars(
        select(SupplierInvoice).where(
            SupplierInvoice.order_id == po.id, SupplierInvoice.state.in_(("matched", "held"))
        )
    ):
        inv.problems = _match(session, inv, po, tol)
        event = "rematch_held" if inv.problems else "rematch_ok"
        inv.state = INVOICE.check(inv.state, event, SYSTEM).target
    session.flush()


def check_still_covered(session: Session, po: PurchaseOrder, tol: Tolerance = Tolerance()) -> None:
    """Before a receipt is reversed: approved invoices must still be covered by receipts."""
    approved = (
        select(InvoiceLine.order_line_id, func.sum(InvoiceLine.quantity))
        .join(SupplierInvoice, SupplierInvoice.id == InvoiceLine.invoice_id)
        .where(SupplierInvoice.order_id == po.id, SupplierInvoice.state.in_(sorted(SETTLED)))
        .group_by(InvoiceLine.order_line_id)
    )
    invoiced = dict(session.execute(approved).all())
    short = [
        f"product #{ln.product_id}: {invoiced[ln.id]} approved for payment, {ln.received} would remain"
        for ln in po.lines
        if ln.id in invoiced
        and invoiced[ln.id] > Decimal(ln.received) * (1 + tol.quantity_pct / 100)
    ]
    if short:
        raise Conflict(
            "the reversal would leave approved invoices without goods: " + "; ".join(short),
            hint="cancel or credit the supplier's invoice first",
        )


def fire(
    session: Session,
    principal: Optional[Principal],
    invoice_id: int,
    event: str,
    *,
    reason: str = "",
) -> SupplierInvoice:
    """approve (a held invoice needs an override reason) or cancel (nothing paid or credited)."""
    inv = get_invoice(session, invoice_id, lock=True)
    move = INVOICE.check(inv.state, event, actor_of(principal))
    before, reason = _snapshot(inv), reason.strip()
    if event == "approve":
        if inv.state == "held":
            if len(reason) < 3:
                raise translatable(
                    DataError,
                    "invoice {number} does not match the order and receipts: approving it "
                    "needs a reason",
                    "say why it may be paid anyway (e.g. price change agreed by phone)",
                    number=inv.number,
                )
            inv.override_reason = reason
        inv.approved_by = who(principal)
    elif event == "cancel":
        if Decimal(inv.paid) or Decimal(inv.credited):
            raise translatable(
                Conflict,
                "invoice {number} has payments or credit: it cannot be cancelled",
                "ask the supplier for a credit note instead",
                number=inv.number,
            )
        if len(reason) < 3:
            raise translatable(
                DataError, "cancelling invoice {number} needs a reason", number=inv.number
            )
        inv.reason = reason
    inv.state = move.target
    session.flush()
    record(
        session,
        principal,
        f"supplier_invoice.{event}",
        "supplier_invoice",
        inv.id,
        before,
        _snapshot(inv),
    )
    return inv


def _settle(inv: SupplierInvoice) -> None:
    """After money or credit came in: paid when nothing is owed, else partly paid."""
    if inv.state in ("approved", "partly_paid"):
        event = "pay_all" if inv.outstanding <= 0 else "pay_part"
        inv.state = INVOICE.check(inv.state, event, SYSTEM).target


def pay(
    session: Session, principal: Optional[Principal], invoice_id: int, data: PaymentIn
) -> SupplierPayment:
    inv = get_invoice(session, invoice_id, lock=True)
    if inv.state not in ("approved", "partly_paid"):
        raise Conflict(
            "invoice {number} is {state}: only approved invoices are paid",
            hint="approve it first" if inv.state in ("matched", "held") else None,
            number=inv.number,
            state=inv.state,
        )
    if data.amount > inv.outstanding:
        raise translatable(
            DataError,
            "payment {amount} is more than the {owed} still owed on {number}",
            "pay at most what is owed",
            amount=data.amount,
            owed=inv.outstanding,
            number=inv.number,
        )
    before = _snapshot(inv)
    payment = SupplierPayment(
        invoice_id=inv.id,
        amount=data.amount,
        paid_on=data.paid_on,
        reference=data.reference.strip(),
        created_by=who(principal),
    )
    session.add(payment)
    inv.paid = (Decimal(inv.paid) + data.amount).quantize(CENT)
    _settle(inv)
    session.flush()
    record(
        session,
        principal,
        "supplier_invoice.pay",
        "supplier_invoice",
        inv.id,
        before,
        _snapshot(inv),
    )
    return payment


def add_credit_note(
    session: Session, principal: Optional[Principal], data: CreditNoteIn
) -> CreditNote:
    supplier = get_supplier(session, data.supplier_id)
    number = data.number.strip()
    if session.scalar(
        select(CreditNote.id).where(
            CreditNote.supplier_id == supplier.id, CreditNote.number == number
        )
    ):
        raise Conflict(
            "{code} credit note {number} is already booked", code=supplier.code, number=repr(number)
        )
    note = CreditNote(
        supplier_id=supplier.id,
        number=number,
        issued_on=data.issued_on,
        amount=data.amount,
        applied=Decimal(0),
        reference=data.reference.strip(),
        created_by=who(principal),
    )
    session.add(note)
    session.flush()
    record(
        session, principal, "credit_note.add", "credit_note", note.id, None, {"amount": note.amount}
    )
    return note


def apply_credit(
    session: Session,
    principal: Optional[Principal],
    credit_id: int,
    invoice_id: int,
    amount: Decimal,
) -> CreditApplication:
    """Set part of a credit note against an approved invoice of the same supplier."""
    note = session.get(CreditNote, credit_id)
    if note is None:
        raise NotFound("no credit note #{credit_id}", credit_id=credit_id)
    inv = get_invoice(session, invoice_id, lock=True)
    problems = []
    if inv.supplier_id != note.supplier_id:
        problems.append(
            problem("invoice_id", "invoice {number} is another supplier's", number=inv.number)
        )
    if inv.state not in ("approved", "partly_paid"):
        problems.append(
            problem(
                "invoice_id",
                "invoice {number} is not approved: credit goes on approved invoices",
                number=inv.number,
            )
        )
    if amount > note.unapplied:
        problems.append(
            problem(
                "amount",
                "only {left} of credit note {number} is left",
                left=note.unapplied,
                number=note.number,
            )
        )
    if amount > inv.outstanding:
        problems.append(
            problem(
                "amount", "only {owed} is owed on {number}", owed=inv.outstanding, number=inv.number
            )
        )
    if problems:
        raise DataError(
            "the credit cannot be applied",
            hint="choose another invoice or a smaller amount",
            problems=problems,
        )
    before = _snapshot(inv)
    note.applied = (Decimal(note.applied) + amount).quantize(CENT)
    inv.credited = (Decimal(inv.credited) + amount).quantize(CENT)
    app = CreditApplication(
        credit_note_id=note.id, invoice_id=inv.id, amount=amount, created_by=who(principal)
    )
    session.add(app)
    _settle(inv)
    session.flush()
    record(
        session,
        principal,
        "supplier_invoice.credit",
        "supplier_invoice",
        inv.id,
        before,
        _snapshot(inv),
    )
    return app


def list_invoices(
    session: Session,
    *,
    supplier_id: Optional[int] = None,
    state: Optional[str] = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[SupplierInvoice], int]:
    stmt = select(SupplierInvoice)
    if supplier_id:
        stmt = stmt.where(SupplierInvoice.supplier_id == supplier_id)
    if state:
        stmt = stmt.where(SupplierInvoice.state == state)
    return paged(session, stmt, [SupplierInvoice.due_on, SupplierInvoice.id], limit, offset)


def credit_notes(session: Session, supplier_id: Optional[int] = None) -> list[CreditNote]:
    stmt = select(CreditNote).order_by(CreditNote.id.desc())
    if supplier_id:
        stmt = stmt.where(CreditNote.supplier_id == supplier_id)
    return list(session.scalars(stmt))


def bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "days_1_30"
    if days_overdue <= 60:
        return "days_31_60"
    return "days_61_90" if days_overdue <= 90 else "over_90"


@dataclass
class AgeingLine:
    supplier_id: int
    supplier: str
    amounts: dict[str, Decimal]
    unapplied_credit: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


def ageing(session: Session, as_of: dt.date) -> list[AgeingLine]:
    """What is still owed per supplier, by days past the due date, and credit not yet used."""
    rows: dict[int, AgeingLine] = {}
    names = dict(session.execute(select(Supplier.id, Supplier.legal_name)).all())

    def line(sid: int) -> AgeingLine:
        if sid not in rows:
            rows[sid] = AgeingLine(sid, names.get(sid, str(sid)), {b: ZERO for b in BUCKETS})
        return rows[sid]

    for inv in session.scalars(
        select(SupplierInvoice).where(SupplierInvoice.state.in_(sorted(OPEN_INVOICE)))
    ):
        line(inv.supplier_id).amounts[bucket((as_of - inv.due_on).days)] += inv.outstanding
    credit: dict[int, Decimal] = defaultdict(Decimal)
    for note in session.scalars(select(CreditNote).where(CreditNote.applied < CreditNote.amount)):
        credit[note.supplier_id] += note.unapplied
    for sid, amount in credit.items():
        line(sid).unapplied_credit = amount
    return sorted(rows.values(), key=lambda r: (-r.total, r.supplier))
