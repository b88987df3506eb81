"""The report a reader gets: frozen at its month's close, or built live.

Closing a month (:func:`close_month`) freezes every report of it, in the transaction that
closes it (so nothing slips in between): the nine kinds without filters, and the statement
of each reseller. A closed month's reports are then read back from what was frozen — the
same numbers, and the same PDF and XLSX bytes, on any later day, whatever happens after.
Reopening makes the month live again; closing it again freezes a new version.
Views that were not frozen (a filter, another breakdown) are built live and say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.roles import Principal
from hub.periods import service as periods
from hub.periods.calendar import Period
from hub.periods.models import PeriodState
from hub.reports.kinds import KINDS, Params, build
from hub.reports.model import Report
from hub.reports.models import FrozenReport
from hub.reports.money import statements
from hub.reports.sales import Filters


def freeze(session: Session, period: Period, version: int, at: dt.datetime) -> int:
    """Store every report of ``period`` as version ``version``; returns how many."""
    rows = []
    for name in KINDS:
        report = build(session, name, Params(period), now=at)
        report.frozen = version
        rows.append(
            FrozenReport(
                month=period.start,
                version=version,
                kind=name,
                reseller_id="",
                data=report.to_json(),
                built_at=at,
            )
        )
    for st in statements(session, period):
        report = build(
            session, "statement", Params(period, Filters(reseller=st.reseller_id)), now=at
        )
        report.frozen = version
        rows.append(
            FrozenReport(
                month=period.start,
                version=version,
                kind="statement",
                reseller_id=st.reseller_id,
                data=report.to_json(),
                built_at=at,
            )
        )
    session.add_all(rows)
    session.flush()
    return len(rows)


def close_month(
    session: Session,
    principal: Optional[Principal],
    period: Period,
    *,
    now: Optional[dt.datetime] = None,
) -> tuple[PeriodState, int]:
    """Close ``period`` and freeze its reports; returns the month's state and how many were frozen."""
    state = periods.close(session, principal, period, now=now)
    count = freeze(session, period, state.version, state.closed_at or now or utcnow())
    return state, count


def _frozen_key(name: str, params: Params) -> Optional[str]:
    """Which frozen report answers ``params`` (the reseller of a statement, "" for the others),
    or None when this view was not frozen."""
    f = params.filters
    if params.period.kind != "month" or f.group is not None or f.product is not None:
        return None
    if f.category is not None or f.region is not None:
        return None
    if name == "statement":
        return f.reseller or ""
    if f.reseller or (params.by and params.by != "reseller"):
        return None
    return ""


def frozen(session: Session, name: str, params: Params) -> Optional[Report]:
    """The frozen report for ``params`` if its month is closed and this view was frozen."""
    key = _frozen_key(name, params)
    if key is None:
        return None
    state = periods.state_of(session, params.period.start)
    if state is None or state.state != "closed":
        return None
    data = session.scalar(
        select(FrozenReport.data).where(
            FrozenReport.month == params.period.start,
            FrozenReport.version == state.version,
            FrozenReport.kind == name,
            FrozenReport.reseller_id == key,
        )
    )
    return None if data is None else Report.from_json(data)


def report(
    session: Session, name: str, params: Params, *, now: Optional[dt.datetime] = None
) -> Report:
    """What a reader is shown: frozen for a closed month, else live (saying so when the month
    is closed but this view was not frozen)."""
    found = frozen(session, name, params)
    if found is not None:
        return found
    live = build(session, name, params, now=now)
    if params.period.kind == "month" and periods.is_closed(session, params.period.start):
        live.notes.append(
            (
                "This month is closed, but this view was not frozen: it is built from today's data.",
                {},
            )
        )
    return live
