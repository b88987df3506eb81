"""The portal's own tables: cart templates, wishlist, profiles, password resets, down payments.

The cart itself is an order in ``draft`` (``source="cart"``); addresses are shipping's
(``ResellerAddress``); variants are catalog products (``Product.model_id``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class CartTemplate(Base):
    """A cart saved under a name, to fill the cart again later (priced anew then)."""

    __tablename__ = "portal_cart_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(
        String(31), ForeignKey("resellers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # product_id, quantity
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WishItem(Base):
    """A product a user watches: told when it is back in stock or its price for them drops."""

    __tablename__ = "portal_wishlist"
    __table_args__ = (UniqueConstraint("user_id", "product_id", name="uq_portal_wishlist"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reseller_id: Mapped[str] = mapped_column(String(31), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id", ondelete="CASCADE"))
    price_seen: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2), nullable=True)
    in_stock_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)


class Profile(Base):
    """A portal user's own settings: e-mail (for password resets), phone, zone, what to be told."""

    __tablename__ = "portal_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    email: Mapped[str] = mapped_column(String(200), default="", index=True)  # stored lower-case
    phone: Mapped[str] = mapped_column(String(40), default="")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    notify_orders: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_wishlist: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PasswordReset(Base):
    """A reset link sent by e-mail: only its hash is kept; used once, and only before it expires."""

    __tablename__ = "portal_password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)


class DownPaymentRule(Base):
    """A reseller group pays this percentage of an order first (its proforma), the rest later."""

    __tablename__ = "portal_down_payment_rules"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_reseller_groups.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
