"""API shapes of reports and periods."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from pydantic import BaseModel, Field

from hub.periods.service import MonthStatus


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

    @classmethod
    def of(cls, m: MonthStatus) -> MonthPublic:
        """A month's close state and what is still open in it (API and ``--json``)."""
        s, o = m.state, m.open_items
        return cls(
            month=m.period.key,
            state=s.state if s is not None else "open",
            version=s.version if s is not None else 0,
            closed_at=s.closed_at if s is not None else None,
            closed_by=s.closed_by if s is not None else "",
            reopened_at=s.reopened_at if s is not None else None,
            reopened_by=s.reopened_by if s is not None else "",
            reason=s.reason if s is not None else "",
            unpaid_orders=o.unpaid_orders if o else 0,
            pending_transfers=o.pending_transfers if o else 0,
            open_supplier_invoices=o.open_supplier_invoices if o else 0,
        )


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
