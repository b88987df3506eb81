"""Tables of warranty: a reseller's claim on one unit (by serial), its photos and timeline,
the log of goods that cannot be repaired, and the claim passed on to the supplier.

A claim is scoped to its reseller (``reseller_id``) everywhere it is read; its events carry
a public text (shown in the portal and sent to the reseller) apart from staff-only notes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.db import Base, UTCDateTime, utcnow


class Claim(Base):
    __tablename__ = "warranty_claims"
    __table_args__ = (Index("ix_warranty_claims_reseller_state", "reseller_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # RMA-2026-00001
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    serial_id: Mapped[int] = mapped_column(ForeignKey("inventory_serials.id"), index=True)
    serial: Mapped[str] = mapped_column(String(80))
    order_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("orders.id"), nullable=True
    )  # the shipment
    invoice_number: Mapped[str] = mapped_column(String(24), default="")
    shipped_on: Mapped[dt.date] = mapped_column(Date)  # WIB date the unit left the hub
    warranty_until: Mapped[dt.date] = mapped_column(Date)
    problem: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="submitted")
    findings: Mapped[str] = mapped_column(Text, default="")  # what the repair desk found
    resolution_note: Mapped[str] = mapped_column(Text, default="")  # refusal reason, repair done
    replacement_serial_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("inventory_serials.id"), nullable=True
    )
    courier: Mapped[str] = mapped_column(String(40), default="")  # goods back to the reseller
    waybill: Mapped[str] = mapped_column(String(60), default="")
    filed_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    photos: Mapped[list[ClaimPhoto]] = relationship(order_by="ClaimPhoto.id", lazy="selectin")
    events: Mapped[list[ClaimEvent]] = relationship(
        order_by="(ClaimEvent.at, ClaimEvent.id)", lazy="selectin"
    )


class ClaimPhoto(Base):
    """A photo (or the invoice scan) of the claim, stored under a random name outside the web root."""

    __tablename__ = "warranty_claim_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("warranty_claims.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClaimEvent(Base):
    """One step of a claim: what the reseller is told (``event``, ``note``) and staff's ``internal``."""

    __tablename__ = "warranty_claim_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("warranty_claims.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))  # the claim's state after the step
    note: Mapped[str] = mapped_column(Text, default="")  # shown to the reseller
    internal: Mapped[str] = mapped_column(Text, default="")  # staff only (costs, supplier)
    actor: Mapped[str] = mapped_column(String(100), default="")


class Unrepairable(Base):
    """The log of defective goods that cannot be repaired, and what became of them."""

    __tablename__ = "warranty_unrepairable"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("warranty_claims.id"), index=True)
    serial_id: Mapped[int] = mapped_column(ForeignKey("inventory_serials.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    reason: Mapped[str] = mapped_column(Text)
    disposition: Mapped[str] = mapped_column(String(16))  # scrapped | to_supplier
    logged_by: Mapped[str] = mapped_column(String(100), default="")
    logged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupplierClaim(Base):
    """The defective unit claimed back from the supplier that supplied it (back-to-back)."""

    __tablename__ = "warranty_supplier_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # SC-2026-00001
    claim_id: Mapped[int] = mapped_column(ForeignKey("warranty_claims.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("purchasing_suppliers.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    note: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(
        String(16), default=""
    )  # credit_note | replacement | refusal
    answer_note: Mapped[str] = mapped_column(Text, default="")
    credit_note_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("purchasing_credit_notes.id"), nullable=True
    )
    credit_amount: Mapped[Optional[Decimal]] = mapped_column(Numeric(16, 2), nullable=True)
    replacement_serial_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("inventory_serials.id"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # why cancelled
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    documents: Mapped[list[SupplierClaimDocument]] = relationship(
        order_by="SupplierClaimDocument.id", lazy="selectin"
    )


class SupplierClaimDocument(Base):
    """A file of the supplier claim: the return form, the supplier's letter, the credit note."""

    __tablename__ = "warranty_supplier_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_claim_id: Mapped[int] = mapped_column(
        ForeignKey("warranty_supplier_claims.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(120), default="")
    name: Mapped[str] = mapped_column(String(80))
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
