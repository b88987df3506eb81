"""Tables of purchasing: suppliers and what they supply, purchase orders, receipts, costs, payables.

Money is ``Numeric(16, 2)`` (read back as ``Decimal``); unit costs keep four places
(a landed cost spread over units rarely divides into cents). Quantities are whole units.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.db import Base, UTCDateTime, utcnow

Money = Numeric(16, 2)
UnitCost = Numeric(18, 4)
CENT = Decimal("0.01")


class Supplier(Base):
    __tablename__ = "purchasing_suppliers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    npwp: Mapped[str] = mapped_column(String(20), default="")  # 15 or 16 digits, stored bare
    address: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(200), default="")  # where purchase orders go
    phone: Mapped[str] = mapped_column(String(40), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)  # invoice date + N = due
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)  # order to arrival
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[SupplierContact]] = relationship(
        order_by="SupplierContact.id", cascade="all, delete-orphan", lazy="selectin"
    )


class SupplierContact(Base):
    __tablename__ = "purchasing_supplier_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("purchasing_suppliers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(80), default="")  # sales, finance, warranty...
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")


class SupplierProduct(Base):
    """A product a supplier sells us: its code there, our cost, order minimum and multiple."""

    __tablename__ = "purchasing_supplier_products"
    __table_args__ = (
        UniqueConstraint("supplier_id", "product_id", name="uq_purchasing_supplier_products_pair"),
        CheckConstraint("min_order_qty >= 1 AND order_multiple >= 1", name="order_sizes"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("purchasing_suppliers.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"), index=True)
    supplier_code: Mapped[str] = mapped_column(String(64), default="")
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    min_order_qty: Mapped[int] = mapped_column(Integer, default=1)
    order_multiple: Mapped[int] = mapped_column(Integer, default=1)
    lead_time_days: Mapped[Optional[int]] = mapped_column(
        Integer, nullable=True
    )  # None: supplier's
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)


class PurchaseOrder(Base):
    __tablename__ = "purchasing_orders"
    __table_args__ = (Index("ix_purchasing_orders_supplier_state", "supplier_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # PO-2026-00001
    supplier_id: Mapped[int] = mapped_column(ForeignKey("purchasing_suppliers.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("shipping_warehouses.id"))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | reorder
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    expected_on: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why cancelled / closed short
    created_by: Mapped[str] = mapped_column(String(100), default="")
    approved_by: Mapped[str] = mapped_column(String(100), default="")
    sent_to: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="order",
        order_by="PurchaseOrderLine.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0)).quantize(CENT)


class PurchaseOrderLine(Base):
    __tablename__ = "purchasing_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received >= 0", name="received_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchasing_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    supplier_code: Mapped[str] = mapped_column(String(64), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    received: Mapped[int] = mapped_column(Integer, default=0)  # posted receipts, net of reversals

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")

    @property
    def amount(self) -> Decimal:
        return Decimal(self.unit_cost) * self.quantity

    @property
    def outstanding(self) -> int:
        return max(self.quantity - self.received, 0)


class Receipt(Base):
    """Goods received against one purchase order into its warehouse (a goods received note)."""

    __tablename__ = "purchasing_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # GRN-2026-00001
    order_id: Mapped[int] = mapped_column(ForeignKey("purchasing_orders.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("shipping_warehouses.id"))
    state: Mapped[str] = mapped_column(String(12), default="draft")
    freight: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # landed costs, spread
    duty: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # over the lines by value
    other_costs: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    delivery_note: Mapped[str] = mapped_column(String(60), default="")  # the supplier's surat jalan
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why reversed
    created_by: Mapped[str] = mapped_column(String(100), default="")
    posted_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    posted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt",
        order_by="ReceiptLine.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def landed_extra(self) -> Decimal:
        return Decimal(self.freight) + Decimal(self.duty) + Decimal(self.other_costs)


class ReceiptLine(Base):
    __tablename__ = "purchasing_receipt_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    receipt_id: Mapped[int] = mapped_column(
        ForeignKey("purchasing_receipts.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")  # required for an over-receipt
    unit_cost: Mapped[Decimal] = mapped_column(Money)  # the PO's price
    landed_total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # qty × cost + share
    serials: Mapped[list[str]] = mapped_column(JSON, default=list)

    receipt: Mapped[Receipt] = relationship(back_populates="lines")

    @property
    def landed_unit_cost(self) -> Decimal:
        return (Decimal(self.landed_total) / self.quantity).quantize(Decimal("0.0001"))


class ProductCost(Base):
    """A product's moving average cost: changes only when goods are received (or a receipt reversed)."""

    __tablename__ = "purchasing_costs"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id"), primary_key=True, autoincrement=False
    )
    average_cost: Mapped[Decimal] = mapped_column(UnitCost)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CostMove(Base):
    """Why an average cost changed: the receipt, units and cost in, the average before and after."""

    __tablename__ = "purchasing_cost_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reference: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)  # negative: a reversal
    value: Mapped[Decimal] = mapped_column(Money)  # landed value in (negative out)
    on_hand_before: Mapped[int] = mapped_column(Integer)
    average_before: Mapped[Decimal] = mapped_column(UnitCost)
    average_after: Mapped[Decimal] = mapped_column(UnitCost)


class Counter(Base):
    """Gap-free document numbers per kind and year (PO, GRN, RMA, SC), locked while numbering."""

    __tablename__ = "purchasing_counters"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SupplierInvoice(Base):
    """A supplier's invoice for a purchase order, matched three ways before finance pays it."""

    __tablename__ = "purchasing_invoices"
    __table_args__ = (
        UniqueConstraint("supplier_id", "number", name="uq_purchasing_invoices_supplier_number"),
        CheckConstraint("paid >= 0 AND credited >= 0", name="settled_nonneg"),
        Index("ix_purchasing_invoices_state_due", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("purchasing_suppliers.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("purchasing_orders.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))  # the supplier's own number
    tax_invoice: Mapped[str] = mapped_column(String(40), default="")  # faktur pajak number
    invoice_date: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="held")
    subtotal: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money)
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    credited: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)  # what the match found
    override_reason: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why cancelled
    created_by: Mapped[str] = mapped_column(String(100), default="")
    approved_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[InvoiceLine]] = relationship(
        order_by="InvoiceLine.id", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def outstanding(self) -> Decimal:
        return (Decimal(self.total) - Decimal(self.paid) - Decimal(self.credited)).quantize(CENT)


class InvoiceLine(Base):
    __tablename__ = "purchasing_invoice_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("purchasing_invoices.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.unit_price) * self.quantity


class SupplierPayment(Base):
    __tablename__ = "purchasing_payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("purchasing_invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(60), default="")  # bank transfer reference
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditNote(Base):
    """Money a supplier owes us back (a warranty claim's answer, a return); applied to invoices."""

    __tablename__ = "purchasing_credit_notes"
    __table_args__ = (
        UniqueConstraint(
            "supplier_id", "number", name="uq_purchasing_credit_notes_supplier_number"
        ),
        CheckConstraint("amount > 0 AND applied >= 0 AND applied <= amount", name="applied_within"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("purchasing_suppliers.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    applied: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    reference: Mapped[str] = mapped_column(String(60), default="")  # e.g. the supplier claim
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def unapplied(self) -> Decimal:
        return (Decimal(self.amount) - Decimal(self.applied)).quantize(CENT)


class CreditApplication(Base):
    """Part of a credit note set against an invoice (reduces what the invoice still owes)."""

    __tablename__ = "purchasing_credit_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credit_note_id: Mapped[int] = mapped_column(
        ForeignKey("purchasing_credit_notes.id"), index=True
    )
    invoice_id: Mapped[int] = mapped_column(ForeignKey("purchasing_invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
