"""Tables of customer care: a reseller's ticket and its messages.

A ticket is scoped to its reseller (``reseller_id``) everywhere it is read. Its SLA due times
are stored when it is opened (or re-triaged), so a later change of the targets never moves a
promise already made; ``escalated_*`` mark that a timer's escalation happened (once each).
A message is a reply (the reseller sees it) or an internal note (``internal``: staff only).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.db import Base, UTCDateTime, utcnow


class Ticket(Base):
    __tablename__ = "care_tickets"
    __table_args__ = (
        Index("ix_care_tickets_reseller_state", "reseller_id", "state"),
        Index("ix_care_tickets_state_due", "state", "resolution_due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # TIK-2026-00001
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"))
    kind: Mapped[str] = mapped_column(String(20))  # complaint, question, suggestion, repair, ...
    category: Mapped[str] = mapped_column(String(20))  # billing, delivery, product, ...
    priority: Mapped[str] = mapped_column(String(10))  # low, normal, high, urgent
    subject: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="open")
    assignee_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    opened_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_due: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolution_due: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    escalated_response_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    escalated_resolution_at: Mapped[Optional[dt.datetime]] = mapped_column(
        UTCDateTime, nullable=True
    )
    satisfied: Mapped[Optional[bool]] = mapped_column(Boolean, nullable=True)  # the survey
    surveyed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    messages: Mapped[list[TicketMessage]] = relationship(
        order_by="(TicketMessage.at, TicketMessage.id)", lazy="selectin"
    )
    attachments: Mapped[list[TicketAttachment]] = relationship(
        order_by="TicketAttachment.id", lazy="selectin"
    )


class TicketMessage(Base):
    """One reply (``internal`` False: the reseller reads it) or staff-only note."""

    __tablename__ = "care_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("care_tickets.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(100))
    staff: Mapped[bool] = mapped_column(Boolean)  # written by staff (else by the reseller)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    event: Mapped[str] = mapped_column(String(20), default="")  # "escalated": body names the timer
    body: Mapped[str] = mapped_column(Text)


class TicketAttachment(Base):
    """A photo or PDF added to the ticket (by the reseller or staff), checked by its content and
    stored under a random name outside the web root (:mod:`hub.care.files`)."""

    __tablename__ = "care_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("care_tickets.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))  # the stored (random) name
    filename: Mapped[str] = mapped_column(String(120))  # as the uploader called it
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
