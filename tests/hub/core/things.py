"""The sample table and rows the core's statement helpers are tested with (bulk, driver)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, Numeric, String, Table

from hub.core.db import UTCDateTime

META = MetaData()
NAME_LENGTH = 20
THINGS = Table(
    "things",
    META,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_LENGTH)),
    Column("price", Numeric(14, 2)),
    Column("at", UTCDateTime, nullable=True),
    Column("doc", JSON, nullable=True),
)
T0 = dt.datetime(2026, 3, 3, 8, 30, tzinfo=dt.timezone.utc)
ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "bolt",
        "price": Decimal("1500.50"),
        "at": T0,
        "doc": {"state": "placed", "n": [1, 2]},
    },
    {"id": 2, "name": "nut", "price": Decimal("0.10"), "at": None, "doc": {"note": "kacang"}},
    {
        "id": 3,
        "name": "gear",
        "price": Decimal("99999.99"),
        "at": T0 + dt.timedelta(days=1),
        "doc": None,
    },
]
