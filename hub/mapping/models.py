"""The mapping profile each reseller has applied (one row per reseller)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime


class MappingProfile(Base):
    __tablename__ = "mapping_profiles"

    reseller_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    profile: Mapped[str] = mapped_column(Text)  # Profile as JSON
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
