"""Operations pages: home, sync-health dashboard, per-reseller page, quarantine (with retry), portal."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hub.audit.service import record
from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require
from hub.core.roles import RESELLER_ROLES, STAFF, Role
from hub.core.state import hub_state
from hub.core.templating import render
from hub.ingest.quarantine import list_quarantined, requeue
from hub.ingest.requests import open_requests, request_full, write_messages
from hub.ingest.service import list_snapshots
from hub.ingest.store import Store
from hub.merge.store import list_datasets
from hub.resellers.service import get_reseller
from hub.users.sessions import list_tokens
from hub.web.charts import line_chart
from hub.web.health import board, history

router = APIRouter(include_in_schema=False)
OPS = (Role.OWNER, Role.OPERATIONS)

nav.register(nav.NavItem("Sync health", "/dashboard", STAFF, order=10))
nav.register(nav.NavItem("Quarantine", "/quarantine", frozenset(OPS), order=20))
nav.register(nav.NavItem("Data explorer", "/data", STAFF, order=30))
nav.register(nav.NavItem("My reseller", "/portal", RESELLER_ROLES, order=10))


@router.get("/", dependencies=[require()])
def home(principal: CurrentPrincipal) -> Response:
    return RedirectResponse("/dashboard" if principal.is_staff else "/portal", 303)


@router.get("/dashboard", dependencies=[require(*STAFF)])
def dashboard(request: Request, session: SessionDep) -> Response:
    rows = board(session)
    quarantined = list_quarantined(session)
    return render(
        request,
        "dashboard.html",
        {"rows": rows, "missed": [r for r in rows if r.missed], "quarantined": quarantined},
    )


@router.get("/resellers/{reseller_id}", dependencies=[require()])
def reseller_page(
    reseller_id: str, request: Request, session: SessionDep, asked: str = ""
) -> Response:
    reseller = get_reseller(session, reseller_id)  # ResellerNotFound: the 404 page
    points = history(session, reseller_id)
    snaps, total = list_snapshots(session, reseller_id=reseller_id, limit=20)
    found = board(session, [reseller_id])
    return render(
        request,
        "reseller.html",
        {
            "reseller": reseller,
            "row": found[0] if found else None,
            "rows_chart": line_chart([p.rows for p in points]),
            "delay_chart": line_chart([p.delay_seconds / 60 for p in points]),
            "points": points,
            "snapshots": snaps,
            "total": total,
            "datasets": list_datasets(session, reseller_id),
            "requests": open_requests(session, reseller_id),
            "asked": asked,
        },
    )


@router.post("/resellers/{reseller_id}/request-full", dependencies=[require(*OPS)])
def ask_full_snapshot(
    reseller_id: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    reason: str = Form("", max_length=500),
) -> Response:
    """Ask the reseller's agent for a full snapshot (a signed request it takes at its next push); audited."""
    from hub.core.keys import HubKeys  # loads key files: only when asking

    get_reseller(session, reseller_id)  # ResellerNotFound: the 404 page
    record(session, principal, "sync.request_full", "reseller", reseller_id, None, reason or None)
    req = request_full(
        session, reseller_id, reason=reason.strip(), by=principal.username or principal.role.value
    )
    session.commit()  # the signed file is written only for a committed request
    store, key = Store.from_settings(settings), HubKeys.load_or_create(settings.keys_dir)
    write_messages(session, store, key.signing_key, reseller_id)
    return RedirectResponse(f"/resellers/{reseller_id}?asked={req.wire_id}", 303)


@router.get("/quarantine", dependencies=[require(*OPS)])
def quarantine(request: Request, session: SessionDep) -> Response:
    return render(request, "quarantine.html", {"items": list_quarantined(session), "message": ""})


@router.post("/quarantine/{snapshot_id}/retry", dependencies=[require(*OPS)])
def retry(
    snapshot_id: RowId, request: Request, settings: SettingsDep, principal: CurrentPrincipal
) -> Response:
    """Queue the snapshot again (every check re-runs); audited. htmx swaps the row's status cell."""
    factory = hub_state(request).session_factory
    row = requeue(factory, Store.from_settings(settings), snapshot_id)  # 404 / 409 by class
    with factory() as s, s.begin():
        record(
            s,
            principal,
            "snapshot.retry",
            "snapshot",
            snapshot_id,
            {"status": "quarantined"},
            {"status": row.status},
        )
    if request.headers.get("HX-Request"):
        return render(request, "_retried.html", {"snapshot": row})
    return RedirectResponse("/quarantine", 303)


@router.get("/portal", dependencies=[require(*RESELLER_ROLES)])
def portal(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    rid = principal.reseller_id or ""
    snaps, total = list_snapshots(session, reseller_id=rid, limit=20)
    return render(
        request,
        "portal.html",
        {
            "reseller": get_reseller(session, rid),
            "snapshots": snaps,
            "total": total,
            "datasets": list_datasets(session, rid),
            "tokens": list_tokens(session, rid) if principal.role == Role.RESELLER_ADMIN else [],
        },
    )
