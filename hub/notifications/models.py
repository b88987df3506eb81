"""Who to tell (people at each reseller), what to say (templates) and what is still to be sent (the outbox)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class Contact(Base):
    """A person at a reseller: who is told what (``roles``), on which channels they agreed to."""

    __tablename__ = "reseller_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(String(31), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200), default="")
    whatsapp: Mapped[str] = mapped_column(String(20), default="")  # E.164: +628123456789
    roles: Mapped[str] = mapped_column(String(80), default=",orders,payments,shipping,marketing,")
    birthday: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    anniversary: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    email_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    whatsapp_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TemplateText(Base):
    """Staff's own wording of a message in one language (else the built-in one is sent)."""

    __tablename__ = "notification_templates"

    template: Mapped[str] = mapped_column(String(40), primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


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
