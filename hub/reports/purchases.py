"""Purchases and supplier payments: invoices, payments and credit notes dated in a period.

Payables ageing comes from :func:`hub.purchasing.payables.ageing` (what is owed now, by
days past due at the given day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.periods.calendar import Period
from hub.purchasing.models import (
    CreditNote,
    PurchaseOrder,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)


@dataclass(frozen=True)
class Invoice:
    day: dt.date
    supplier: str
    number: str
    order: str
    state: str
    total: Decimal


@dataclass(frozen=True)
class Paid:
    day: dt.date
    supplier: str
    invoice: str
    reference: str
    amount: Decimal


@dataclass(frozen=True)
class Credit:
    day: dt.date
    supplier: str
    number: str
    amount: Decimal


def invoices(session: Session, period: Period) -> list[Invoice]:
    rows = session.execute(
        select(
            SupplierInvoice.invoice_date,
            Supplier.legal_name,
            SupplierInvoice.number,
            PurchaseOrder.number,
            SupplierInvoice.state,
            SupplierInvoice.total,
        )
        .join(Supplier, Supplier.id == SupplierInvoice.supplier_id)
        .join(PurchaseOrder, PurchaseOrder.id == SupplierInvoice.order_id)
        .where(
            SupplierInvoice.invoice_date >= period.start,
            SupplierInvoice.invoice_date < period.end,
            SupplierInvoice.state != "cancelled",
        )
        .order_by(SupplierInvoice.invoice_date, SupplierInvoice.id)
    )
    return [Invoice(d, s, n, po, st, Decimal(t)) for d, s, n, po, st, t in rows]


def payments(session: Session, period: Period) -> list[Paid]:
    rows = session.execute(
        select(
            SupplierPayment.paid_on,
            Supplier.legal_name,
            SupplierInvoice.number,
            SupplierPayment.reference,
            SupplierPayment.amount,
        )
        .join(SupplierInvoice, SupplierInvoice.id == SupplierPayment.invoice_id)
        .join(Supplier, Supplier.id == SupplierInvoice.supplier_id)
        .where(SupplierPayment.paid_on >= period.start, SupplierPayment.paid_on < period.end)
        .order_by(SupplierPayment.paid_on, SupplierPayment.id)
    )
    return [Paid(d, s, n, r, Decimal(a)) for d, s, n, r, a in rows]


def credit_notes(session: Session, period: Period) -> list[Credit]:
    rows = session.execute(
        select(CreditNote.issued_on, Supplier.legal_name, CreditNote.number, CreditNote.amount)
        .join(Supplier, Supplier.id == CreditNote.supplier_id)
        .where(CreditNote.issued_on >= period.start, CreditNote.issued_on < period.end)
        .order_by(CreditNote.issued_on, CreditNote.id)
    )
    return [Credit(d, s, n, Decimal(a)) for d, s, n, a in rows]
