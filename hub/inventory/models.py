"""Stock per product, where it sits (bins per warehouse), receipts and serial numbers.

``on_hand`` is what physically sits in the warehouses, ``reserved`` the part of
it promised to open orders (never more than ``on_hand``), ``shipped`` what has
left. Reconciliation: ``on_hand + shipped == sum(receipts)``.

A :class:`Bin` says how much of a product's ``on_hand`` sits in one warehouse;
stock received before any warehouse existed is *unassigned*
(``on_hand - sum(bins)``, never negative). A :class:`Serial` follows one unit
of a serialised product from its receipt to the reseller it was shipped to and
back (warranty); :class:`SerialEvent` is that unit's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

import hub.catalog.models  # noqa: F401  (the table a foreign key names)
from hub.core.db import Base, UTCDateTime, utcnow


class StockItem(Base):
    __tablename__ = "inventory_stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within"),
        CheckConstraint("shipped >= 0", name="shipped_nonneg"),
    )

    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id"), primary_key=True, autoincrement=False
    )
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockReceipt(Base):
    """Stock received from a purchase (or a manual correction): append-only."""

    __tablename__ = "inventory_receipts"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(120), default="")  # supplier invoice / PO number
    warehouse_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("shipping_warehouses.id"), nullable=True
    )
    received_by: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(24), default="purchase")
    note: Mapped[str] = mapped_column(String(300), default="")


class Orphan(Base):
    """Stock and receipts that named a product that does not exist, moved aside by migration
    ``inventory_0003`` (not deleted): the warehouse books them again on the right product."""

    __tablename__ = "inventory_orphans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20))  # stock | receipt
    product_id: Mapped[int] = mapped_column(Integer)  # the product that did not exist
    quantity: Mapped[int] = mapped_column(Integer)  # receipt quantity, or on hand
    reference: Mapped[str] = mapped_column(String(120), server_default="")
    received_by: Mapped[str] = mapped_column(String(100), server_default="")
    moved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())


class Bin(Base):
    """How many units of a product sit in one warehouse, and its low-stock levels there."""

    __tablename__ = "inventory_bins"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("reorder_point >= 0 AND reorder_up_to >= 0", name="levels_nonneg"),
    )

    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_warehouses.id"), primary_key=True, autoincrement=False
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id"), primary_key=True, autoincrement=False, index=True
    )
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reorder_point: Mapped[int] = mapped_column(Integer, default=0)  # low stock at or below this
    reorder_up_to: Mapped[int] = mapped_column(Integer, default=0)  # refill to this (0: point × 2)


class Serial(Base):
    """One unit of a serialised product; ``state`` says where it is now."""

    __tablename__ = "inventory_serials"
    __table_args__ = (
        UniqueConstraint("product_id", "serial", name="uq_inventory_serials_product_serial"),
        Index("ix_inventory_serials_serial", "serial"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    serial: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16), default="in_stock")
    warehouse_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("shipping_warehouses.id"), nullable=True
    )
    received_ref: Mapped[str] = mapped_column(String(40), default="")  # GRN / supplier claim number
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    supplier_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    order_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)  # the shipment
    reseller_id: Mapped[Optional[str]] = mapped_column(String(31), nullable=True, index=True)
    shipped_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)


class SerialEvent(Base):
    """A line of a unit's history: received, shipped, claimed, replaced, sent to the supplier..."""

    __tablename__ = "inventory_serial_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    serial_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_serials.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(60), default="")  # GRN, order, claim number
    reseller_id: Mapped[Optional[str]] = mapped_column(String(31), nullable=True)
    actor: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class StockAdjustment(Base):
    """A counted correction (up or down) of a warehouse's stock, with its reason: append-only."""

    __tablename__ = "inventory_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("shipping_warehouses.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)  # + found, - damaged/lost/...
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(300), default="")
    adjusted_by: Mapped[str] = mapped_column(String(100), default="")
    adjusted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
