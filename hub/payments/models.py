"""A reseller's confirmation of a bank transfer, with its proof file and finance's decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import hub.orders.models
import hub.resellers.models  # noqa: F401  (the table a foreign key names)
from hub.core.db import Base, UTCDateTime, utcnow

Money = Numeric(16, 2)


class TransferConfirmation(Base):
    __tablename__ = "payment_confirmations"
    __table_args__ = (
        Index("ix_payment_confirmations_status", "status", "id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "received_amount IS NULL OR received_amount >= 0", name="received_amount_nonneg"
        ),
        CheckConstraint("proof_size >= 0", name="proof_size_nonneg"),
        CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"), index=True)
    invoice_number: Mapped[str] = mapped_column(String(24))
    bank: Mapped[str] = mapped_column(String(60))
    account_holder: Mapped[str] = mapped_column(String(120))
    transfer_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)  # what the reseller says it sent
    received_amount: Mapped[Optional[Decimal]] = mapped_column(
        Money, nullable=True
    )  # what finance saw
    proof_name: Mapped[str] = mapped_column(String(80))  # random name under the proofs directory
    proof_type: Mapped[str] = mapped_column(String(40))  # image/png, image/jpeg, application/pdf
    proof_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String(10), default="pending"
    )  # pending | confirmed | rejected
    reason: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[str] = mapped_column(String(100), default="")
    reviewed_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
