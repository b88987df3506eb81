"""Staff pages for a kind of master data, made from its :class:`~hub.masterdata.kind.RecordKind`.

``pages_for(kind)`` gives the router of ``/<slug>``: the list (search, active/inactive,
scopes, pages of 50, CSV/XLSX export), the form to add or edit a record (problems shown
next to each field, what was typed kept), activate/deactivate or delete, and the import
(upload → preview of every change and problem → confirm). Every route declares its roles
from the kind; every change goes through the kind's audited operations and is committed
here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require
from hub.core.errors import status_of
from hub.core.sheets import FORMATS, MEDIA_TYPES
from hub.core.staging import UPLOAD_BODY_LIMIT, Staging, read_upload
from hub.core.templating import formatter, language, render
from hub.masterdata.fields import (
    FormState,
    Invalid,
    initial_values,
    message_of,
    parse_values,
    posted_values,
    shown,
)
from hub.masterdata.kind import COUNT_AHEAD, STATUSES, RecordKind
from shared.errors import DataError, SyncHubError

PAGE = 50


async def form_fields(request: Request) -> dict[str, list[str]]:
    """Every field of a posted form, each as the list of its values (checkbox groups)."""
    form = await request.form()
    return {k: [str(v) for v in form.getlist(k)] for k in form}


FormFields = Annotated[dict[str, list[str]], Depends(form_fields)]


def _scope(kind: RecordKind[Any], params: Mapping[str, str]) -> dict[str, str]:
    return {s: str(params[s])[:200] for s in kind.scopes if params.get(s)}


def _list_url(kind: RecordKind[Any], scope: Mapping[str, str], **extra: Any) -> str:
    query = urlencode({**scope, **{k: v for k, v in extra.items() if v not in (None, "")}})
    return f"/{kind.slug}" + (f"?{query}" if query else "")


def _list_page(
    request: Request,
    session: Session,
    kind: RecordKind[Any],
    q: str,
    status: str,
    page: int,
    saved: int | None,
    error: Any = "",
    status_code: int = 200,
) -> Response:
    scope = _scope(kind, request.query_params)
    offset = (page - 1) * PAGE
    rows, total = kind.search(session, q, status, scope, offset=offset, limit=PAGE, cap=COUNT_AHEAD)
    more = total > offset + PAGE + COUNT_AHEAD  # counted this far, not to the end
    columns, fmt = [f for f in kind.fields if f.listed], formatter(request)
    saved_label = ""
    if saved is not None:
        match = [r for r in rows if getattr(r, "id", None) == saved]
        found = match[0] if match else session.get(kind.model, saved)
        if found is not None:
            saved_label = kind.label(kind.values(session, [found])[0])
    return render(
        request,
        "md_list.html",
        {
            "kind": kind,
            "rows": [
                (row, values, [shown(f, values[f.name], fmt) for f in columns])
                for row, values in zip(rows, kind.values(session, rows))
            ],
            "columns": columns,
            "total": total,
            "more": more,
            "q": q,
            "status": status,
            "statuses": STATUSES,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "scope": scope,
            "scope_fields": [
                (kind.field(s), kind.field(s).choices_for(session)) for s in kind.scopes
            ],
            "query": urlencode({**scope, "q": q, "status": status}),
            "saved": saved_label,
            "error": error,
        },
        status_code=status_code,
    )


def _form_page(
    request: Request,
    session: Session,
    kind: RecordKind[Any],
    state: FormState,
    row: Any = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "md_form.html",
        {
            "kind": kind,
            "row": row,
            "fields": [(f, f.choices_for(session)) for f in kind.fields],
            "state": state,
            "scope": _scope(kind, request.query_params),
        },
        status_code=status_code,
    )


def _save(
    request: Request,
    session: Session,
    kind: RecordKind[Any],
    principal: Any,
    form: Mapping[str, list[str]],
    row: Any = None,
) -> Response:
    try:
        values = parse_values(kind.fields, form, language(request), session=session)
        if row is None:
            row = kind.create(session, principal, values)
        else:
            kind.update(session, principal, row, values)
        session.flush()
    except Invalid as exc:
        session.rollback()
        state = FormState(posted_values(kind.fields, form), exc.fields)
        return _form_page(request, session, kind, state, row, 422)
    except SyncHubError as exc:
        session.rollback()
        state = FormState(posted_values(kind.fields, form), message=message_of(exc))
        return _form_page(request, session, kind, state, row, 409)
    scope = _scope(kind, request.query_params)
    return RedirectResponse(_list_url(kind, scope, saved=row.id), 303)


def _import_page(
    request: Request,
    kind: RecordKind[Any],
    *,
    report: Any = None,
    upload: str = "",
    error: Any = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "md_import.html",
        {"kind": kind, "report": report, "upload": upload, "error": error},
        status_code=status_code,
    )


def pages_for(kind: RecordKind[Any]) -> APIRouter:
    """The pages of one kind of record (see the module docstring)."""
    router = APIRouter(include_in_schema=False)
    base = f"/{kind.slug}"
    view, edit = require(*kind.view_roles), require(*kind.edit_roles)
    staging_area = f"import-{kind.slug}"

    @router.get(base, dependencies=[view], name=f"{kind.slug}-list")
    def listing(
        request: Request,
        session: SessionDep,
        q: str = Query("", max_length=200),
        status: str = Query("active", pattern="^(active|inactive|all)$"),
        page: int = Query(1, ge=1, le=100_000),
        saved: int | None = Query(None, ge=1, le=2_147_483_647),
    ) -> Response:
        return _list_page(request, session, kind, q, status, page, saved)

    @router.get(f"{base}/export", dependencies=[view], name=f"{kind.slug}-export")
    def export(
        request: Request,
        session: SessionDep,
        format: str = Query("csv", pattern="^(csv|xlsx)$"),
        q: str = Query("", max_length=200),
        status: str = Query("all", pattern="^(active|inactive|all)$"),
    ) -> Response:
        data = kind.export(session, format, q, status, _scope(kind, request.query_params))
        headers = {"Content-Disposition": f'attachment; filename="{kind.slug}.{format}"'}
        return Response(data, media_type=MEDIA_TYPES[format], headers=headers)

    if kind.creatable:

        @router.get(f"{base}/new", dependencies=[edit], name=f"{kind.slug}-new")
        def new_form(request: Request, session: SessionDep) -> Response:
            prefill = _scope(kind, request.query_params)
            return _form_page(
                request, session, kind, FormState({**initial_values(kind.fields, {}), **prefill})
            )

        @router.post(f"{base}/new", dependencies=[edit])
        def create(
            request: Request, session: SessionDep, principal: CurrentPrincipal, form: FormFields
        ) -> Response:
            return _save(request, session, kind, principal, form)

    @router.get(f"{base}/import", dependencies=[edit], name=f"{kind.slug}-import")
    def import_form(request: Request) -> Response:
        return _import_page(request, kind)

    @router.post(f"{base}/import", dependencies=[edit], max_body_size=UPLOAD_BODY_LIMIT)
    def import_preview(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        principal: CurrentPrincipal,
        file: UploadFile | None = File(None),
    ) -> Response:
        """Read the file and show every change and problem; nothing is written yet."""
        try:
            name, data = read_upload(file)
            report = kind.import_rows(
                session, principal, name, data, language(request), preview=True
            )
        except SyncHubError as exc:
            return _import_page(request, kind, error=exc, status_code=status_of(exc))
        finally:
            session.rollback()
        upload = Staging(settings.home, staging_area).put(name, data) if report.ok else ""
        return _import_page(
            request, kind, report=report, upload=upload, status_code=200 if report.ok else 422
        )

    @router.post(f"{base}/import/{{upload}}/apply", dependencies=[edit])
    def import_apply(
        upload: str,
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        principal: CurrentPrincipal,
    ) -> Response:
        """Apply a previewed file, all or nothing; one audit entry."""
        staging = Staging(settings.home, staging_area)
        name, data = staging.get(upload)
        try:
            report = kind.import_rows(
                session, principal, name, data, language(request), preview=False
            )
            if not report.ok:
                session.rollback()
                return _import_page(request, kind, report=report, status_code=409)
            session.flush()
        except DataError as exc:
            session.rollback()
            return _import_page(request, kind, error=exc, status_code=422)
        staging.drop(upload)
        return _import_page(request, kind, report=report)

    if kind.editable:

        @router.get(f"{base}/{{row_id}}", dependencies=[view], name=f"{kind.slug}-edit")
        def edit_form(row_id: RowId, request: Request, session: SessionDep) -> Response:
            row = kind.get(session, row_id)
            values = kind.values(session, [row])[0]
            return _form_page(
                request, session, kind, FormState(initial_values(kind.fields, values)), row
            )

        @router.post(f"{base}/{{row_id}}", dependencies=[edit])
        def update(
            row_id: RowId,
            request: Request,
            session: SessionDep,
            principal: CurrentPrincipal,
            form: FormFields,
        ) -> Response:
            return _save(request, session, kind, principal, form, kind.get(session, row_id))

    if kind.has_active:

        @router.post(f"{base}/{{row_id}}/active", dependencies=[edit])
        def set_active(
            row_id: RowId,
            request: Request,
            session: SessionDep,
            principal: CurrentPrincipal,
            form: FormFields,
        ) -> Response:
            """Deactivate (kept, hidden from choices) or activate again."""
            active = (form.get("active") or ["false"])[-1] == "true"
            kind.set_active(session, principal, kind.get(session, row_id), active)
            session.flush()
            return RedirectResponse(
                _list_url(kind, _scope(kind, request.query_params), saved=row_id), 303
            )

    if kind.deletable:

        @router.post(f"{base}/{{row_id}}/delete", dependencies=[edit])
        def delete(
            row_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
        ) -> Response:
            kind.delete(session, principal, kind.get(session, row_id))
            session.flush()
            return RedirectResponse(_list_url(kind, _scope(kind, request.query_params)), 303)

    return router


__all__ = ["FORMATS", "form_fields", "pages_for"]
