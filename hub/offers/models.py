"""Tables of offers: per-reseller daily sales and stock facts (by master product), runs and offers.

The facts are a compact projection of the merged history (``refresh_facts``),
so the nightly run aggregates with plain SQL over two narrow tables instead
of decoding every record version of every reseller.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow

KINDS = ("replenishment", "range", "clearance")
STATUSES = ("draft", "approved", "dropped", "published", "accepted", "expired")


class SalesDaily(Base):
    __tablename__ = "offer_sales_daily"
    __table_args__ = (Index("ix_offer_sales_daily_day", "day"),)

    reseller_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)


class StockFact(Base):
    __tablename__ = "offer_stock"

    reseller_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer)


class OfferRun(Base):
    __tablename__ = "offer_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (Index("ix_offers_reseller_status", "reseller_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("offer_runs.id"), nullable=True)
    reseller_id: Mapped[str] = mapped_column(String(63))
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    rank: Mapped[int] = mapped_column(
        Integer, default=0
    )  # 1 = most important of its kind for the reseller
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    price_rule: Mapped[str] = mapped_column(Text)
    numbers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)  # in English: the API's text
    # the same as phrases (hub.core.phrases), shown in the reader's language; None before offers_0002
    reason_phrases: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    price_rule_phrases: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    order_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
