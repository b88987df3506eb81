"""API shapes of reports and periods."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from pydantic import BaseModel, Field


class KindPublic(BaseModel):
    name: str
    title: str
    description: str


class KindsPublic(BaseModel):
    data: list[KindPublic]


class MonthPublic(BaseModel):
    month: str
    state: str
    version: int = 0
    closed_at: Optional[dt.datetime] = None
    closed_by: str = ""
    reopened_at: Optional[dt.datetime] = None
    reopened_by: str = ""
    reason: str = ""
    unpaid_orders: int = 0
    pending_transfers: int = 0
    open_supplier_invoices: int = 0


class MonthsPublic(BaseModel):
    data: list[MonthPublic]


class ClosedPublic(MonthPublic):
    frozen_reports: int


class ReopenIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ReportPublic(BaseModel):
    """A report as data: sections of typed columns; money and percentages as exact strings."""

    kind: str
    title: str
    period: str
    built_at: dt.datetime
    filters: dict[str, str]
    frozen: int
    notes: list[Any]
    sections: list[dict[str, Any]]
