"""`/api/v1/resellers/{reseller_id}/…`: merged datasets, rows (current or as-of), CSV, history, entities.

Thin: parse, call :mod:`hub.merge.query` / :mod:`hub.mapping.service`, return a schema.
Authentication, roles and reseller scoping are added by the web layer's
dependencies (not here yet).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from hub.core.deps import SessionDep, require
from hub.core.state import hub_state
from hub.data.export import csv_lines
from hub.data.schemas import (
    ColumnPublic,
    DatasetPublic,
    DatasetsPublic,
    EntityRowsPublic,
    HistoryPublic,
    RowsPublic,
    VersionPublic,
    json_value,
)
from hub.mapping import service as mapping
from hub.merge import query, store
from shared.errors import DataError, NotFound

# Anyone signed in; the guard 404s a reseller principal addressing another reseller_id.
router = APIRouter(
    prefix="/api/v1/resellers/{reseller_id}", tags=["merged data"], dependencies=[require()]
)
RESERVED = {"as_of", "limit", "offset"}


def _filters(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in RESERVED}


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    if at is not None and at.tzinfo is None:
        raise DataError(
            "as_of {at} needs a time zone, e.g. {at}Z",
            at=at.isoformat(),
            problems=[("as_of", "no time zone")],
        )
    return at


@router.get("/datasets")
def list_datasets(reseller_id: str, session: SessionDep) -> DatasetsPublic:
    """Datasets merged for this reseller, with schema version and current row count."""
    rows = [
        DatasetPublic(
            name=d.dataset,
            schema_version=d.schema_version,
            current_rows=d.current_rows,
            last_snapshot_id=d.last_snapshot_id,
            last_source_at=d.last_source_at,
            last_received_at=d.last_received_at,
        )
        for d in store.list_datasets(session, reseller_id)
    ]
    return DatasetsPublic(data=rows, count=len(rows))


@router.get("/datasets/{name}/rows")
def dataset_rows(
    reseller_id: str,
    name: str,
    request: Request,
    session: SessionDep,
    as_of: dt.datetime | None = None,
    limit: int = Query(100, ge=1, le=10_000),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> RowsPublic:
    """Current rows (or those valid at `as_of`), ordered by key; any other query parameter filters a column."""
    at, filters = _utc(as_of), _filters(request)
    columns, rows = query.iter_rows(
        session, reseller_id, name, at=at, filters=filters, limit=limit, offset=offset
    )
    data = [[json_value(v) for v in r] for r in rows]
    total = query.count_rows(session, reseller_id, name, at=at, filters=filters)
    return RowsPublic(columns=[ColumnPublic.of(c) for c in columns], data=data, count=total)


@router.get("/datasets/{name}/rows.csv", response_class=StreamingResponse)
def dataset_csv(
    reseller_id: str, name: str, request: Request, as_of: dt.datetime | None = None
) -> StreamingResponse:
    """Every matching row as CSV (canonical texts; NULL is an empty cell), streamed."""
    at, filters = _utc(as_of), _filters(request)
    factory = hub_state(request).read_factory
    with factory() as session:  # fail before streaming starts
        query.count_rows(session, reseller_id, name, at=at, filters=filters)

    def stream() -> Iterator[str]:  # its own session: it outlives the request's dependencies
        with factory() as session:
            columns, rows = query.iter_rows(session, reseller_id, name, at=at, filters=filters)
            yield from csv_lines(columns, rows)

    filename = f"{reseller_id}-{name}.csv"
    return StreamingResponse(
        stream(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/records/{dataset}/{key:path}/history")
def record_history(reseller_id: str, dataset: str, key: str, session: SessionDep) -> HistoryPublic:
    """Every version of one record (key = the key columns as a COPY line, tab-separated)."""
    columns, versions = query.record_history(session, reseller_id, dataset, key)
    if not versions:
        raise NotFound(
            "no record {key} in dataset {dataset}",
            hint="the key is the key columns as one COPY line, tab-separated",
            key=repr(key),
            dataset=dataset,
        )
    data = [
        VersionPublic(
            valid_from=v.valid_from,
            valid_to=v.valid_to,
            snapshot_id=v.snapshot_id,
            received_at=v.received_at,
            values=[json_value(x) for x in v.values],
        )
        for v in versions
    ]
    return HistoryPublic(
        dataset=dataset,
        key=key,
        columns=[ColumnPublic.of(c) for c in columns],
        data=data,
        count=len(data),
    )


@router.get("/entities/{entity}")
def entity_rows(
    reseller_id: str,
    entity: str,
    session: SessionDep,
    as_of: dt.datetime | None = None,
    limit: int = Query(1000, ge=1, le=100_000),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> EntityRowsPublic:
    """Canonical entity rows (product, stock_level, sale_line, customer) through the reseller's mapping profile."""
    fields, rows = mapping.entity_rows(session, reseller_id, entity, as_of=_utc(as_of))
    page = rows[offset : offset + limit]
    return EntityRowsPublic(
        entity=entity,
        fields=fields,
        data=[[json_value(v) for v in r] for r in page],
        count=len(rows),
    )
