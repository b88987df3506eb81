"""Who to tell (contacts per reseller) and what is still to be sent (the outbox)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class Contact(Base):
    __tablename__ = "notification_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(String(31), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | whatsapp
    address: Mapped[str] = mapped_column(String(200))  # e-mail address or E.164 phone number
    locale: Mapped[str] = mapped_column(String(5), default="id")


class OutboxMessage(Base):
    """One message to one address; ``status`` pending → sent, or failed after the last attempt."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[Optional[str]] = mapped_column(String(31), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5))
    payload: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
