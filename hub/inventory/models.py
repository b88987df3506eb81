"""Stock per product and the log of stock receipts.

``on_hand`` is what physically sits in the warehouse, ``reserved`` the part of
it promised to open orders (never more than ``on_hand``), ``shipped`` what has
left. Reconciliation: ``on_hand + shipped == sum(receipts)``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
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
    received_by: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
