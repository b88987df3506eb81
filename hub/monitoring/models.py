"""Expected sync schedules, staff alert subscriptions, raised alerts and periodic job status."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow

KINDS = ("missed_sync", "quarantine", "held", "job_failed", "care_sla")  # care_sla: hub.care


class SyncSchedule(Base):
    """How often a reseller is expected to sync; without a row the hub's defaults apply."""

    __tablename__ = "sync_schedules"

    reseller_id: Mapped[str] = mapped_column(
        ForeignKey("resellers.id", ondelete="CASCADE"), primary_key=True
    )
    every_hours: Mapped[int] = mapped_column(Integer)  # one snapshot expected at least this often
    grace_hours: Mapped[int] = mapped_column(Integer)  # then this much slack before it is "missed"


class AlertSubscription(Base):
    """A staff user asks to be told about some kinds of alert on one channel."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | whatsapp
    address: Mapped[str] = mapped_column(String(200))
    kinds: Mapped[str] = mapped_column(String(200))  # comma-separated subset of KINDS
    locale: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """One raised alert. ``key`` names the episode (a missed sync since a given last success,
    one quarantined snapshot, ...): unique, so an episode alerts once however often it is seen."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    reseller_id: Mapped[Optional[str]] = mapped_column(String(31), nullable=True, index=True)
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued: Mapped[int] = mapped_column(Integer, default=0)  # messages queued to subscribers


class JobStatus(Base):
    """The last run of each periodic job (written by the leader that ran it)."""

    __tablename__ = "job_status"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_ok_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    last_failed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_seconds: Mapped[float] = mapped_column(default=0.0)
