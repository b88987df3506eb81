"""Tables of the catalog: master products, reseller groups, price lists, promotions, SKU links.

Money is ``Numeric`` (read back as ``Decimal``); weights and dimensions too.
A price list belongs to one reseller, to one reseller group, or (neither) to
everyone; the most specific list that holds the product wins (see pricing).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow

MONEY = Numeric(14, 2)
QTY = Numeric(12, 3)


class Product(Base):
    __tablename__ = "catalog_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    ean: Mapped[str | None] = mapped_column(String(14), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(300))
    brand: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    specs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # e.g. {"colour": ["red", "blue"]}
    list_price: Mapped[Decimal] = mapped_column(MONEY)
    weight_kg: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    length_cm: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    width_cm: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    height_cm: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    warranty_months: Mapped[int] = mapped_column(Integer, default=0)
    # Each unit has a serial number: captured at receipt and shipment, named in warranty claims.
    serialised: Mapped[bool] = mapped_column(Boolean, default=False)
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    discontinued: Mapped[bool] = mapped_column(Boolean, default=False)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A variant (its own SKU, stock and prices) of a model product, and the options that make it
    # one: {"Warna": "Merah", "Ukuran": "L"} (portal_0001). The model lists the option names.
    model_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_products.id"), nullable=True, index=True
    )
    option_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Product(id={self.id}, sku={self.sku!r})"


class ResellerGroup(Base):
    """A segment of resellers sharing price lists and promotions (e.g. "Java wholesale")."""

    __tablename__ = "catalog_reseller_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ResellerGroupMember(Base):
    __tablename__ = "catalog_reseller_group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_reseller_groups.id", ondelete="CASCADE"), primary_key=True
    )
    reseller_id: Mapped[str] = mapped_column(String(63), primary_key=True)


class PriceList(Base):
    __tablename__ = "catalog_price_lists"
    __table_args__ = (Index("ix_catalog_price_lists_name", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    reseller_id: Mapped[str | None] = mapped_column(String(63), nullable=True, index=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_reseller_groups.id"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(300), default="")


class PriceListItem(Base):
    """One quantity break: from ``min_quantity`` units on, each costs ``unit_price``."""

    __tablename__ = "catalog_price_list_items"
    __table_args__ = (
        UniqueConstraint(
            "price_list_id", "product_id", "min_quantity", name="uq_catalog_price_list_items_break"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    price_list_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_price_lists.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    min_quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)


class Promotion(Base):
    """A temporary price cut on one product, for everyone, a group or one reseller, in [valid_from, valid_to).

    Only active ``standard`` promotions price. A ``birthday``/``anniversary`` one is a rule:
    on a reseller contact's day (:mod:`hub.catalog.celebrations`) it issues a ``standard``
    promotion for that contact's reseller (``parent_id`` = the rule, ``contact_id``), valid
    ``days`` days.
    """

    __tablename__ = "catalog_promotions"
    __table_args__ = (Index("ix_catalog_promotions_parent", "parent_id", "contact_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    reseller_id: Mapped[str | None] = mapped_column(String(63), nullable=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_reseller_groups.id"), nullable=True
    )
    percent_off: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), nullable=True)
    fixed_price: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    min_quantity: Mapped[int] = mapped_column(Integer, default=1)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[str] = mapped_column(String(16), default="standard")
    days: Mapped[int] = mapped_column(Integer, default=1)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    contact_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SkuLink(Base):
    """A reseller's own product (its SKU) and the master product it is, once known."""

    __tablename__ = "catalog_sku_links"

    reseller_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    reseller_sku: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")  # the reseller's name, as last seen
    product_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_products.id"), nullable=True)
    method: Mapped[str] = mapped_column(
        String(16), default=""
    )  # sku | ean | name | accepted | manual
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_catalog_sku_links_product", "product_id"),)


class MatchSuggestion(Base):
    """A ranked guess (rapidfuzz score 0-100) awaiting review; rejected ones are never offered again."""

    __tablename__ = "catalog_match_suggestions"
    __table_args__ = (
        UniqueConstraint(
            "reseller_id", "reseller_sku", "product_id", name="uq_catalog_match_suggestions_pair"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(String(63), index=True)
    reseller_sku: Mapped[str] = mapped_column(String(100))
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"))
    score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    status: Mapped[str] = mapped_column(
        String(10), default="pending"
    )  # pending | accepted | rejected
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
