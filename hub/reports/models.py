"""Reports frozen at a month's close, and who gets which report by e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class FrozenReport(Base):
    """A report exactly as it was when its month was closed (one row per close version)."""

    __tablename__ = "reports_frozen"
    __table_args__ = (
        UniqueConstraint(
            "month", "version", "kind", "reseller_id", name="uq_reports_frozen_report"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reseller_id: Mapped[str] = mapped_column(String(31), default="")  # statements: one per reseller
    data: Mapped[Any] = mapped_column(JSON)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(Base):
    """A staff user gets the monthly pack of reports (PDF) by e-mail on the 1st."""

    __tablename__ = "reports_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """One monthly pack queued for one subscriber: at most once per month, however often the
    job runs (the unique key)."""

    __tablename__ = "reports_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "period", name="uq_reports_deliveries_once"),
        Index("ix_reports_deliveries_period", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("reports_subscriptions.id", ondelete="CASCADE")
    )
    period: Mapped[str] = mapped_column(String(7))
    file: Mapped[str] = mapped_column(String(300))
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)  # the month was closed when sent
    queued_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, default=utcnow)
