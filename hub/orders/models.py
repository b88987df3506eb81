"""Orders, their lines (prices frozen at placement), idempotency records, invoice counters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import hub.catalog.models
import hub.offers.models
import hub.resellers.models  # noqa: F401  (the table a foreign key names)
from hub.core.db import Base, UTCDateTime, utcnow

Money = Numeric(16, 2)
CENT = Decimal("0.01")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_reseller_state", "reseller_id", "state"),
        Index("ix_orders_state_due", "state", "payment_due_at"),
        Index("ix_orders_state_id", "state", "id"),  # the staff list's tabs, newest first
        CheckConstraint(
            "subtotal >= 0 AND shipping_fee >= 0 AND paid_amount >= 0", name="amounts_nonneg"
        ),
        CheckConstraint("pending_proofs >= 0 AND unique_code >= 0", name="counts_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(String(31), ForeignKey("resellers.id"))
    state: Mapped[str] = mapped_column(String(24), default="draft")
    source: Mapped[str] = mapped_column(
        String(16), default="api"
    )  # api, cart, csv, sftp, offer, reorder
    offer_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL"), nullable=True
    )
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    shipping_fee: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    shipping_courier: Mapped[str] = mapped_column(String(40), default="")
    shipping_service: Mapped[str] = mapped_column(String(40), default="")
    shipping_note: Mapped[str] = mapped_column(String(200), default="")
    unique_code: Mapped[int] = mapped_column(Integer, default=0)  # added to the transfer amount
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    pending_proofs: Mapped[int] = mapped_column(Integer, default=0)  # transfers awaiting finance
    payment_reference: Mapped[Optional[str]] = mapped_column(String(32), unique=True, nullable=True)
    invoice_number: Mapped[Optional[str]] = mapped_column(String(24), unique=True, nullable=True)
    waybill: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Set at placement (portal_0001): the down payment the reseller's group asks for (0: none),
    # and where the parcel goes, copied from the address book so a later edit changes no order.
    down_payment: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    ship_to_name: Mapped[str] = mapped_column(String(200), default="")
    ship_to_phone: Mapped[str] = mapped_column(String(40), default="")
    ship_to_address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    placed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    payment_due_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    reminded_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    shipped_from: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)  # warehouse code
    cancel_reason: Mapped[Optional[str]] = mapped_column(String(300), nullable=True)
    delivered_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
        order_by="OrderLine.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def total(self) -> Decimal:
        """Goods plus the frozen shipping fee."""
        return (Decimal(self.subtotal) + Decimal(self.shipping_fee)).quantize(CENT)

    @property
    def transfer_amount(self) -> Decimal:
        """What the reseller transfers: total plus the order's unique code (finds it in the statement)."""
        return (self.total + self.unique_code).quantize(CENT)

    @property
    def amount_due(self) -> Decimal:
        return max(Decimal(0), self.transfer_amount - Decimal(self.paid_amount)).quantize(CENT)

    @property
    def down_payment_due(self) -> Decimal:
        """What is still missing of the down payment (0 once it is paid or when none is asked)."""
        return max(Decimal(0), Decimal(self.down_payment or 0) - Decimal(self.paid_amount))

    @property
    def pay_now(self) -> Decimal:
        """What the order page asks for next: the rest of the down payment while one is owed
        (the unique code rides on the first transfer, so finance spots it), else all that is due.
        """
        if self.down_payment_due > 0:
            code = self.unique_code if Decimal(self.paid_amount) == 0 else 0
            return min(self.amount_due, self.down_payment_due + code).quantize(CENT)
        return self.amount_due

    @property
    def overpaid(self) -> Decimal:
        return max(Decimal(0), Decimal(self.paid_amount) - self.transfer_amount).quantize(CENT)

    def quantities(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for line in self.lines:
            out[line.product_id] = out.get(line.product_id, 0) + line.quantity
        return out


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    sku: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    price_rule: Mapped[str] = mapped_column(String(120), default="")
    options: Mapped[str] = mapped_column(String(200), default="")  # the variant: "Warna: Merah"

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def line_total(self) -> Decimal:
        return Decimal(self.unit_price) * self.quantity


class IdempotencyRecord(Base):
    """First result of a request made with an ``Idempotency-Key``, with the hash of its body."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("scope", "owner", "key", name="uq_idempotency_keys_scope_owner_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer, default=201)
    response: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class InvoiceCounter(Base):
    """One row per year; locked in the placing transaction so numbers have no gaps."""

    __tablename__ = "invoice_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
