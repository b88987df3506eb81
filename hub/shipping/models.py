"""Shipping tables: regions and their codes, origins/addresses/territories, rate cards.

Region keys are Kemendagri dotted codes (``11``, ``11.01``, ``11.01.01``,
``11.01.01.2001``): the code itself spells its ancestors, so "which regency
is this village in" needs no join. Other code sets (BPS, providers' ids) map
onto them through ``shipping_region_codes``.

``reseller_id`` references ``resellers.id`` (the migration declares
``depends_on`` on the resellers chain); deleting a reseller deletes its
addresses and territories.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow

LEVELS = {1: "province", 2: "regency", 3: "district", 4: "village"}


class Region(Base):
    __tablename__ = "shipping_regions"

    kode: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_norm: Mapped[str] = mapped_column(String(100), index=True)  # for search and matching
    level: Mapped[int] = mapped_column(SmallInteger)  # 1 province … 4 village
    parent_kode: Mapped[str | None] = mapped_column(String(13), index=True)


class PostalCode(Base):
    __tablename__ = "shipping_postal_codes"

    region_kode: Mapped[str] = mapped_column(String(13), primary_key=True)  # a village
    postal_code: Mapped[str] = mapped_column(String(5), primary_key=True, index=True)


class RegionCode(Base):
    """Another code set's code for a region: ``scheme`` = ``bps`` or a provider name."""

    __tablename__ = "shipping_region_codes"

    scheme: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_kode: Mapped[str] = mapped_column(String(13), index=True)
    method: Mapped[str] = mapped_column(String(32))  # how the match was made (exact, normalized…)


class Warehouse(Base):
    """An origin the hub ships from."""

    __tablename__ = "shipping_warehouses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_kode: Mapped[str] = mapped_column(String(13))
    address: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ResellerAddress(Base):
    __tablename__ = "shipping_reseller_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reseller_id: Mapped[str] = mapped_column(
        String(31), ForeignKey("resellers.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(100), default="")
    recipient: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    street: Mapped[str] = mapped_column(String(500), default="")
    region_kode: Mapped[str] = mapped_column(String(13))
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class ResellerTerritory(Base):
    __tablename__ = "shipping_reseller_territories"

    reseller_id: Mapped[str] = mapped_column(
        String(31), ForeignKey("resellers.id", ondelete="CASCADE"), primary_key=True
    )
    region_kode: Mapped[str] = mapped_column(String(13), primary_key=True, index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RateCard(Base):
    """One tariff line: courier+service, origin zone → destination, valid [from, to)."""

    __tablename__ = "shipping_rate_cards"
    __table_args__ = (
        Index("ix_shipping_rate_cards_lookup", "destination", "origin", "effective_from"),
        Index("ix_shipping_rate_cards_service", "courier", "service", "effective_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    courier: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(13))  # province or regency code of the origin
    destination: Mapped[str] = mapped_column(String(13))  # regency or district code
    price_per_kg: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    min_weight: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    etd_min: Mapped[int] = mapped_column(SmallInteger)
    etd_max: Mapped[int] = mapped_column(SmallInteger)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)  # exclusive; None = open
