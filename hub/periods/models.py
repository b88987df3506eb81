"""A month's close state and the log of every close and reopen."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class PeriodState(Base):
    """One row per month that was ever closed; ``version`` counts its closes (frozen reports)."""

    __tablename__ = "periods_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the first day
    state: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    version: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str] = mapped_column(String(100), default="")
    reopened_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    reopened_by: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was last reopened


class PeriodEvent(Base):
    """Close, reopen, and the owner's changes to a closed month: who, when, why."""

    __tablename__ = "periods_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    action: Mapped[str] = mapped_column(String(16))  # close | reopen | override
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
