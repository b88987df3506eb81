"""Reports and periods API: a report as JSON, PDF or XLSX; months' close state; close, reopen.

Thin: parse, call the service, answer a schema. Errors are raised by meaning (a closed
month refused, a reason missing) and answered by the hub's one error handler.
"""

from __future__ import annotations

from typing import Annotated, Union

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from hub.core.deps import SessionDep, require
from hub.core.roles import Principal, Role
from hub.periods import service as periods
from hub.periods.calendar import Period
from hub.reports.files import download
from hub.reports.kinds import KINDS
from hub.reports.query import params_from
from hub.reports.schemas import (
    ClosedPublic,
    KindPublic,
    KindsPublic,
    MonthPublic,
    MonthsPublic,
    ReopenIn,
    ReportPublic,
)
from hub.reports.store import close_month, report

router = APIRouter(prefix="/api/v1", tags=["reports"])
Reader = Annotated[Principal, require(Role.OWNER, Role.FINANCE, Role.OPERATIONS)]
Closer = Annotated[Principal, require(Role.OWNER, Role.FINANCE)]
Owner = Annotated[Principal, require(Role.OWNER)]
Month = Annotated[str, Path(pattern=r"^\d{4}-\d{1,2}$", examples=["2026-01"])]
Name = Annotated[str, Path(max_length=20)]


@router.get("/reports", response_model=KindsPublic)
def list_kinds(principal: Reader) -> KindsPublic:
    """The reports the hub makes."""
    return KindsPublic(
        data=[
            KindPublic(name=k.name, title=k.title, description=k.description)
            for k in KINDS.values()
        ]
    )


@router.get("/reports/{name}", response_model=ReportPublic)
def get_report(
    name: Name,
    request: Request,
    session: SessionDep,
    principal: Reader,
    period: Annotated[str, Query(max_length=40, examples=["2026-01"])] = "",
    format: Annotated[str, Query(pattern="^(json|pdf|xlsx)$")] = "json",
    lang: Annotated[str, Query(pattern="^(id|en)$")] = "id",
) -> Union[ReportPublic, Response]:
    """One report for a period (``2026-01`` or ``2026``; default last month), filtered by
    ``reseller``, ``group``, ``product``, ``category``, ``region``; sales ``by`` a dimension.
    A closed month's report is the one frozen at its close. ``format=pdf|xlsx`` downloads it."""
    r = report(session, name, params_from(name, request.query_params))
    if format != "json":
        return download(r, format, lang)
    return ReportPublic.model_validate(r.to_json())


@router.get("/periods", response_model=MonthsPublic)
def list_months(
    session: SessionDep, principal: Reader, count: Annotated[int, Query(ge=1, le=120)] = 12
) -> MonthsPublic:
    """The last ``count`` ended months, newest first: closed or open, and what is still open in them."""
    return MonthsPublic(
        data=[
            MonthPublic.of(
                periods.MonthStatus(m.period, m.state, periods.open_items(session, m.period))
            )
            for m in periods.recent(session, count)
        ]
    )


@router.post("/periods/{month}/close", response_model=ClosedPublic)
def close(month: Month, session: SessionDep, principal: Closer) -> ClosedPublic:
    """Close a month that has ended and freeze its reports (finance or the owner)."""
    period = Period.parse(month)
    state, count = close_month(session, principal, period)
    base = MonthPublic.of(periods.MonthStatus(period, state, periods.open_items(session, period)))
    return ClosedPublic(**base.model_dump(), frozen_reports=count)


@router.post("/periods/{month}/reopen", response_model=MonthPublic)
def reopen(month: Month, body: ReopenIn, session: SessionDep, principal: Owner) -> MonthPublic:
    """Reopen a closed month (the owner only), saying why; audited."""
    period = Period.parse(month)
    state = periods.reopen(session, principal, period, body.reason)
    return MonthPublic.of(periods.MonthStatus(period, state, periods.open_items(session, period)))
