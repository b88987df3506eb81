"""Data explorer: a reseller's merged datasets, current or as of an instant, with CSV download;
and one record's history with the reseller's and the hub's times.

The as-of instant is a date and time *in the viewer's time zone* (the zone picked on the page,
else the user's, else WIB): "as of 3 March 14:30 WIB" is 07:30 UTC. A date alone means the end
of that day in that zone. History times show in the same zone, WIB by default.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from hub.core.deps import SessionDep, require
from hub.core.errors import describe
from hub.core.i18n import Formatter, zone
from hub.core.roles import STAFF
from hub.core.templating import language, render
from hub.merge import query, store
from hub.merge.store import list_datasets
from hub.resellers.models import Reseller
from shared.copytext import format_line
from shared.errors import DataError, NotFound, SyncHubError
from shared.types import encode_value

router = APIRouter(include_in_schema=False)
PAGE = 50
# the zones a viewer in Indonesia picks from (and UTC); the user's own zone is added when other
ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT", "UTC": "UTC"}


def viewer_zone(request: Request, tz: str) -> str:
    """The zone the page shows and reads times in: the picked one, the user's, or WIB."""
    for name in (tz, getattr(request.state, "user_tz", None)):
        if name and zone(name).key == name:
            return name
    return "Asia/Jakarta"


def instant(value: str, tz: str) -> dt.datetime | None:
    """``2026-12-06T14:30`` (a datetime-local field) or ``2026-12-06`` (end of that day) in zone
    ``tz``, as a UTC-aware instant; DataError says what is wrong."""
    value = value.strip()
    if not value:
        return None
    try:
        if "T" in value or " " in value:
            local = dt.datetime.fromisoformat(value.replace(" ", "T"))
        else:
            local = dt.datetime.combine(dt.date.fromisoformat(value), dt.time.max)
    except ValueError:
        raise DataError(
            "{value} is not a date and time",
            hint="pick one in the field, e.g. 2026-12-06 14:30",
            value=repr(value),
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone(tz))
    return local.astimezone(dt.timezone.utc)


def zones(tz: str) -> dict[str, str]:
    return ZONES if tz in ZONES else {tz: tz, **ZONES}


@router.get("/data", dependencies=[require(*STAFF)])
def pick_reseller(request: Request, session: SessionDep) -> Response:
    resellers = session.execute(select(Reseller.id, Reseller.name).order_by(Reseller.id)).all()
    return render(request, "data_index.html", {"resellers": resellers})


def _key_lines(
    session: Any, reseller_id: str, dataset: str, columns: list[Any], rows: list[Any]
) -> list[str]:
    """Each row's key line (the record's id in the history), from the dataset's key columns."""
    state = store.latest_schema(session, reseller_id, dataset)
    if state is None:
        return ["" for _ in rows]
    idx = [[c.name for c in columns].index(k) for k in state.key]
    return [format_line([encode_value(columns[i].type, r[i]) for i in idx])[:-1] for r in rows]


@router.get("/data/{reseller_id}", dependencies=[require()])
def explore(
    reseller_id: str,
    request: Request,
    session: SessionDep,
    dataset: str = "",
    as_of: str = Query("", max_length=40),
    tz: str = Query("", max_length=64),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    datasets = list_datasets(session, reseller_id)
    if session.get(Reseller, reseller_id) is None and not datasets:
        raise NotFound("no reseller {reseller_id}", reseller_id=reseller_id)
    name = dataset or (datasets[0].dataset if datasets else "")
    tz = viewer_zone(request, tz)
    columns: list = []
    rows: list = []
    total = 0
    error = ""
    at = None
    try:
        at = instant(as_of, tz)
    except DataError as exc:
        error = describe(request, exc)
    if name and not error:
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
    if at is not None:
        csv_url += f"?as_of={at.isoformat().replace('+00:00', 'Z')}"
    return render(
        request,
        "explorer.html",
        {
            "reseller_id": reseller_id,
            "datasets": datasets,
            "dataset": name,
            "as_of": as_of,
            "at": at,
            "at_shown": Formatter(language(request), tz).datetime(at) if at else "",
            "tz": tz,
            "zones": zones(tz),
            "columns": columns,
            "rows": rows,
            "keys": _key_lines(session, reseller_id, name, columns, rows) if rows else [],
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "csv_url": csv_url,
            "error": error,
        },
    )


@router.get("/data/{reseller_id}/{dataset}/history", dependencies=[require()])
def history(
    reseller_id: str,
    dataset: str,
    request: Request,
    session: SessionDep,
    key: str = Query(..., max_length=2000),
    tz: str = Query("", max_length=64),
) -> Response:
    """Every version of one record: from and to in the reseller's (source) time, received at the
    hub, in the viewer's zone (WIB by default)."""
    tz = viewer_zone(request, tz)
    columns, versions = query.record_history(session, reseller_id, dataset, key)  # NotFound: 404
    if not versions:
        raise NotFound(
            "dataset {dataset} of {reseller_id} has no record {key}",
            dataset=dataset,
            reseller_id=reseller_id,
            key=key,
        )
    return render(
        request,
        "record_history.html",
        {
            "reseller_id": reseller_id,
            "dataset": dataset,
            "key": key,
            "columns": columns,
            "versions": versions,
            "tz": tz,
            "zones": zones(tz),
            "when": Formatter(language(request), tz),
        },
    )
