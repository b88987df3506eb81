"""Stock per product and the log of stock receipts.

``on_hand`` is what physically sits in the warehouse, ``reserved`` the part of
it promised to open orders (never more than ``on_hand``), ``shipped`` what has
left. Reconciliation: ``on_hand + shipped == sum(receipts)``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class StockItem(Base):
    __tablename__ = "inventory_stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within"),
        CheckConstraint("shipped >= 0", name="shipped_nonneg"),
    )

    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockReceipt(Base):
    """Stock received from a purchase (or a manual correction): append-only."""

    __tablename__ = "inventory_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(Integer, index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(120), default="")  # supplier invoice / PO number
    received_by: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    warehouse_id: Mapped[int | None] = mapped_column(
        Integer, nullable=True
    )  # None: before warehouses
    reason: Mapped[str] = mapped_column(String(24), default="purchase")
    note: Mapped[str] = mapped_column(String(300), default="")


class StockLocation(Base):
    """A warehouse's share of a product's stock (the hub-wide total is :class:`StockItem`)."""

    __tablename__ = "inventory_locations"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="location_on_hand_nonneg"),
        CheckConstraint("reorder_point >= 0", name="location_reorder_nonneg"),
        Index("ix_inventory_locations_product", "product_id"),
    )

    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_warehouses.id"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reorder_point: Mapped[int] = mapped_column(Integer, default=0)  # low stock at or below


class StockAdjustment(Base):
    """A counted correction (up or down) of a warehouse's stock, with its reason: append-only."""

    __tablename__ = "inventory_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("shipping_warehouses.id"))
    product_id: Mapped[int] = mapped_column(Integer, index=True)
    quantity: Mapped[int] = mapped_column(Integer)  # + found, - damaged/lost/...
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(300), default="")
    adjusted_by: Mapped[str] = mapped_column(String(100), default="")
    adjusted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
