"""The JSON API of a kind of master data, made from its :class:`~hub.masterdata.kind.RecordKind`.

``api_for(kind)`` gives ``/api/v1/<slug>``: list (``q``, ``status``, scopes, ``limit`` /
``offset``), one record, create, partial update, activate/deactivate or delete, CSV/XLSX
import (``preview=true`` changes nothing) and export. Schemas are built from the kind's
fields, so OpenAPI documents them; values are checked by the same rules as the pages
(numbers as JSON numbers or machine text). Errors take the hub's one error shape.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Optional

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as Schema
from sqlalchemy.orm import Session

from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.sheets import MEDIA_TYPES
from hub.core.staging import UPLOAD_BODY_LIMIT, read_upload
from hub.masterdata.fields import Field, parse_values
from hub.masterdata.kind import RecordKind
from shared.errors import DataError

_TYPES: dict[str, Any] = {
    "text": str,
    "textarea": str,
    "int": int,
    "decimal": Decimal,
    "money": Decimal,
    "date": dt.date,
    "bool": bool,
    "choice": str,
    "multi": list[str],
}


def _schema(f: Field, *, create: bool) -> tuple[Any, Any]:
    kwargs: dict[str, Any] = {"description": f.label}
    if _TYPES[f.kind] is str:
        kwargs["max_length"] = f.max_length
    if f.kind == "int":
        kwargs.update(ge=-(2**31), le=2**31 - 1)
    if f.kind in ("decimal", "money"):
        kwargs.update(ge=Decimal("-1e12"), le=Decimal("1e12"))
    default = ... if create and f.required else None
    return Optional[_TYPES[f.kind]], Schema(default, **kwargs)


def _model(name: str, fields: dict[str, Any]) -> type[BaseModel]:
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


class ImportProblemPublic(BaseModel):
    row: int
    column: str
    message: str


class ImportReportPublic(BaseModel):
    filename: str
    applied: bool
    created: int
    updated: int
    unchanged: int
    problems: list[ImportProblemPublic]


def _values(kind: RecordKind[Any], session: Session, row: Any) -> dict[str, Any]:
    out = {"id": row.id, **kind.values(session, [row])[0]}
    if kind.has_active:
        out["active"] = bool(row.active)
    return out


def api_for(kind: RecordKind[Any]) -> APIRouter:
    """The API routes of one kind of record (see the module docstring)."""
    name = "".join(p.capitalize() for p in kind.slug.split("-"))
    fields = {f.name: _schema(f, create=False) for f in kind.fields}
    public = _model(
        f"{name}Public",
        {"id": (int, ...), **({"active": (bool, True)} if kind.has_active else {}), **fields},
    )
    listing = _model(f"{name}ListPublic", {"data": (list[public], ...), "count": (int, ...)})  # type: ignore[valid-type]
    create = _model(f"{name}Create", {f.name: _schema(f, create=True) for f in kind.fields})
    update = _model(f"{name}Update", fields)
    router = APIRouter(prefix=f"/api/v1/{kind.slug}", tags=["master data"])
    view, edit = require(*kind.view_roles), require(*kind.edit_roles)

    def checked(session: Session, raw: Mapping[str, Any], partial: bool) -> dict[str, Any]:
        return parse_values(kind.fields, raw, "en", session=session, partial=partial)

    scope_params = kind.scopes

    @router.get(
        "", dependencies=[view], response_model=listing, summary=f"List {kind.title.lower()}"
    )
    def list_records(
        request: Request,
        session: SessionDep,
        q: str = Query("", max_length=200),
        status: str = Query("active", pattern="^(active|inactive|all)$"),
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=10_000_000),
    ) -> Any:
        """Records matching every word of ``q``; scopes as query parameters (e.g. ``?price_list=``)."""
        scope = {s: request.query_params[s] for s in scope_params if request.query_params.get(s)}
        rows, total = kind.search(session, q, status, scope, offset=offset, limit=limit)
        data = kind.values(session, rows)
        for row, values in zip(rows, data):
            values["id"] = row.id
            if kind.has_active:
                values["active"] = bool(row.active)
        return {"data": data, "count": total}

    @router.get("/export", dependencies=[view], response_class=Response)
    def export(
        request: Request,
        session: SessionDep,
        format: str = Query("csv", pattern="^(csv|xlsx)$"),
        status: str = Query("all", pattern="^(active|inactive|all)$"),
    ) -> Response:
        """All records as CSV or XLSX, in the columns the import reads."""
        scope = {s: request.query_params[s] for s in scope_params if request.query_params.get(s)}
        data = kind.export(session, format, "", status, scope)
        headers = {"Content-Disposition": f'attachment; filename="{kind.slug}.{format}"'}
        return Response(data, media_type=MEDIA_TYPES[format], headers=headers)

    @router.post(
        "/import",
        dependencies=[edit],
        response_model=ImportReportPublic,
        max_body_size=UPLOAD_BODY_LIMIT,
    )
    def import_file(
        session: SessionDep,
        principal: CurrentPrincipal,
        file: UploadFile = File(...),
        preview: bool = Query(False),
    ) -> Any:
        """Create or update a record per row, all or nothing (422 listing every problem)."""
        name, data = read_upload(file)
        report = kind.import_rows(session, principal, name, data, "en", preview=preview)
        if report.ok and not preview:
            session.flush()
        else:
            session.rollback()
        problems = [
            {"row": p.row, "column": p.column, "message": p.message[0].format(**p.message[1])}
            for p in report.problems
        ]
        body = {
            "filename": report.filename,
            "applied": report.applied,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "problems": problems,
        }
        if not report.ok:
            raise DataError(
                "{count} problem(s) in {file}; nothing was imported",
                hint="fix the rows listed and import the file again",
                count=len(report.problems),
                file=report.filename,
                problems=[
                    (f"row {p.row}: {p.column}", p.message[0].format(**p.message[1]))
                    for p in report.problems
                ],
            )
        return body

    @router.get("/{row_id}", dependencies=[view], response_model=public)
    def get_record(row_id: RowId, session: SessionDep) -> Any:
        return _values(kind, session, kind.get(session, row_id))

    if kind.creatable:

        @router.post("", dependencies=[edit], response_model=public, status_code=201)
        def create_record(body: create, session: SessionDep, principal: CurrentPrincipal) -> Any:  # type: ignore[valid-type]
            row = kind.create(session, principal, checked(session, body.model_dump(), False))  # type: ignore[attr-defined]
            session.flush()
            return _values(kind, session, row)

    if kind.editable:

        @router.patch("/{row_id}", dependencies=[edit], response_model=public)
        def update_record(
            row_id: RowId,
            body: update,  # type: ignore[valid-type]
            session: SessionDep,
            principal: CurrentPrincipal,
        ) -> Any:
            """Change the fields sent; the others keep their values."""
            row = kind.get(session, row_id)
            sent = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
            kind.update(session, principal, row, checked(session, sent, True))
            session.flush()
            return _values(kind, session, row)

    if kind.has_active:

        @router.post("/{row_id}/deactivate", dependencies=[edit], response_model=public)
        def deactivate(row_id: RowId, session: SessionDep, principal: CurrentPrincipal) -> Any:
            """Hidden from choices and lists of active records; kept with its history."""
            row = kind.set_active(session, principal, kind.get(session, row_id), False)
            session.flush()
            return _values(kind, session, row)

        @router.post("/{row_id}/activate", dependencies=[edit], response_model=public)
        def activate(row_id: RowId, session: SessionDep, principal: CurrentPrincipal) -> Any:
            row = kind.set_active(session, principal, kind.get(session, row_id), True)
            session.flush()
            return _values(kind, session, row)

    if kind.deletable:

        @router.delete("/{row_id}", dependencies=[edit], status_code=204, response_class=Response)
        def delete_record(
            row_id: RowId, session: SessionDep, principal: CurrentPrincipal
        ) -> Response:
            kind.delete(session, principal, kind.get(session, row_id))
            session.flush()
            return Response(status_code=204)

    return router
