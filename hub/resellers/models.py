"""The ``resellers`` table: identity and public keys of every enrolled reseller."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class Reseller(Base):
    __tablename__ = "resellers"

    id: Mapped[str] = mapped_column(String(31), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(13), nullable=True)
    platform: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # One OpenSSH public key line ("ssh-ed25519 AAAA... comment"): the SFTP login key.
    ssh_public_key: Mapped[str] = mapped_column(Text)
    # Base64 of the raw 32-byte Ed25519 key that signs the reseller's snapshots.
    signing_public_key: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the profile kept by the distributor's staff
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    npwp: Mapped[str] = mapped_column(String(20), default="")  # tax number, digits only
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    notes: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"Reseller(id={self.id!r}, enabled={self.enabled})"


class Enrolment(Base):
    """A reseller id reserved until its agent presents the one-time ``code`` with its keys."""

    __tablename__ = "reseller_enrolments"

    reseller_id: Mapped[str] = mapped_column(String(31), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    region_code: Mapped[str | None] = mapped_column(String(13), nullable=True)
    code: Mapped[str | None] = mapped_column(String(40), nullable=True)  # wiped once used
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong codes presented
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
