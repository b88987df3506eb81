"""A campaign, its recipients (one row per campaign × contact × channel: the idempotency key)
and the opt-outs contacts recorded through a campaign's link.

Contacts are the back office's (:class:`hub.notifications.models.Contact`); messages go
through the notifications outbox (:class:`~hub.notifications.models.OutboxMessage`), which
a recipient row points at once queued, so its delivery status is the outbox's.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow

# draft → scheduled → sending → done; cancelled from any but done
STATUSES = ("draft", "scheduled", "sending", "done", "cancelled")
AUDIENCES = ("all", "group", "resellers")
SOURCES = ("message", "promotion", "offers")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16), default="message")
    promotion_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("catalog_promotions.id", ondelete="SET NULL"), nullable=True
    )
    audience: Mapped[str] = mapped_column(String(16), default="all")
    group_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("catalog_reseller_groups.id", ondelete="SET NULL"), nullable=True
    )
    resellers: Mapped[str] = mapped_column(Text, default="")  # ",r1,r2," when audience=resellers
    channels: Mapped[str] = mapped_column(String(40), default=",email,whatsapp,")
    subject_id: Mapped[str] = mapped_column(String(200))
    body_id: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    scheduled_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c]

    def reseller_list(self) -> list[str]:
        return [r for r in self.resellers.split(",") if r]


class Recipient(Base):
    """One contact on one channel of one campaign; ``status`` waiting → queued (then the
    outbox message's status) or skipped with a ``reason``."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        # The idempotency key: a campaign reaches a contact on a channel at most once, however
        # often it is started, retried or run by two job processes.
        UniqueConstraint(
            "campaign_id", "contact_id", "channel", name="uq_campaign_recipients_once"
        ),
        Index("ix_campaign_recipients_campaign_status", "campaign_id", "status"),
        Index("ix_campaign_recipients_queued", "queued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    reseller_id: Mapped[str] = mapped_column(String(31))
    address: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    reason: Mapped[str] = mapped_column(String(40), default="")
    outbox_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    queued_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)


class OptOut(Base):
    """A contact said "no more" on a channel through a campaign's link (the proof of it; the
    contact's opt-in flag is what every sender reads)."""

    __tablename__ = "campaign_opt_outs"
    __table_args__ = (Index("ix_campaign_opt_outs_contact", "contact_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
