"""Data explorer: a reseller's merged datasets, current or as of a date, with CSV download."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from hub.core.deps import SessionDep, require
from hub.core.errors import describe
from hub.core.roles import STAFF
from hub.core.templating import render
from hub.merge import query
from hub.merge.store import list_datasets
from hub.resellers.models import Reseller
from shared.errors import NotFound, SyncHubError

router = APIRouter(include_in_schema=False)
PAGE = 50


def end_of_day(day: dt.date | None) -> dt.datetime | None:
    """ "As of 3 March" means everything the source had by the end of that day (UTC)."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.timezone.utc)


@router.get("/data", dependencies=[require(*STAFF)])
def pick_reseller(request: Request, session: SessionDep) -> Response:
    resellers = session.execute(select(Reseller.id, Reseller.name).order_by(Reseller.id)).all()
    return render(request, "data_index.html", {"resellers": resellers})


@router.get("/data/{reseller_id}", dependencies=[require()])
def explore(
    reseller_id: str,
    request: Request,
    session: SessionDep,
    dataset: str = "",
    as_of: dt.date | None = None,
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    datasets = list_datasets(session, reseller_id)
    if session.get(Reseller, reseller_id) is None and not datasets:
        raise NotFound("no reseller {reseller_id}", reseller_id=reseller_id)
    name = dataset or (datasets[0].dataset if datasets else "")
    columns: list = []
    rows: list = []
    total = 0
    error = ""
    if name:
        at = end_of_day(as_of)
        try:
            columns, it = query.iter_rows(
                session, reseller_id, name, at=at, limit=PAGE, offset=(page - 1) * PAGE
            )
            rows = list(it)
            total = query.count_rows(session, reseller_id, name, at=at)
        except NotFound:
            raise
        except SyncHubError as exc:
            error = describe(request, exc)
    csv_url = f"/api/v1/resellers/{reseller_id}/datasets/{name}/rows.csv"
    if as_of:
        csv_url += f"?as_of={end_of_day(as_of).isoformat().replace('+00:00', 'Z')}"  # type: ignore[union-attr]
    return render(
        request,
        "explorer.html",
        {
            "reseller_id": reseller_id,
            "datasets": datasets,
            "dataset": name,
            "as_of": as_of,
            "columns": columns,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "csv_url": csv_url,
            "error": error,
        },
    )
