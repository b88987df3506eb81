"""Owner's pages: the audit log (filterable, read-only) and user administration.

The users page also serves reseller admins: :mod:`hub.users.service` scopes what
they see and may change to their own reseller, so the page only adapts the form.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hub.audit.service import AuditFilter, list_entries
from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.errors import status_of
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.core.templating import render
from hub.users import service
from shared.errors import SyncHubError

router = APIRouter(include_in_schema=False)
OWNER = frozenset({Role.OWNER})
USER_ADMINS = (Role.OWNER, Role.RESELLER_ADMIN)

nav.register(nav.NavItem("Audit log", "/audit", OWNER, order=80))
nav.register(nav.NavItem("Users", "/users", frozenset(USER_ADMINS), order=90))


@router.get("/audit", dependencies=[require(Role.OWNER)])
def audit(
    request: Request,
    session: SessionDep,
    actor: str = "",
    action: str = "",
    entity: str = "",
    entity_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    f = AuditFilter(
        actor or None,
        action or None,
        entity or None,
        entity_id or None,
        dt.datetime.combine(since, dt.time.min, dt.timezone.utc) if since else None,
        dt.datetime.combine(until, dt.time.max, dt.timezone.utc) if until else None,
    )
    entries, total = list_entries(session, f, limit=100, offset=(page - 1) * 100)
    return render(
        request,
        "audit.html",
        {"entries": entries, "total": total, "f": f, "page": page, "since": since, "until": until},
    )


def _users_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    message: str = "",
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    """The list and the add form; a reseller admin is offered reseller roles of its own reseller only."""
    own = principal.reseller_id if principal.role is Role.RESELLER_ADMIN else None
    roles = [r for r in Role if r in RESELLER_ROLES] if own else list(Role)
    return render(
        request,
        "users.html",
        {
            "users": service.list_users(session, actor=principal),
            "roles": roles,
            "own_reseller": own,
            "message": message,
            "error": error,
        },
        status_code=status,
    )


@router.get("/users", dependencies=[require(*USER_ADMINS)])
def users(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    return _users_page(request, session, principal)


@router.post("/users", dependencies=[require(*USER_ADMINS)])
def add_user(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form(""),
    reseller_id: str = Form(""),
    display_name: str = Form(""),
) -> Response:
    try:
        service.create_user(
            session,
            principal,
            username=username,
            password=password,
            role=role,
            reseller_id=reseller_id or None,
            display_name=display_name,
            must_change_password=True,
        )
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return _users_page(request, session, principal, error=exc, status=status_of(exc))
    return _users_page(request, session, principal, message=f"User {username} created.")


@router.post("/users/{user_id}/reset", dependencies=[require(*USER_ADMINS)])
def reset(
    user_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    try:
        temporary = service.reset_password(session, principal, user_id)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return _users_page(request, session, principal, error=exc, status=status_of(exc))
    return _users_page(request, session, principal, message=f"Temporary password: {temporary}")


@router.post("/users/{user_id}/active", dependencies=[require(*USER_ADMINS)])
def set_active(
    user_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    active: bool = Form(False),
) -> Response:
    """Deactivate (ends the user's sessions) or reactivate; another reseller's user is a 404."""
    try:
        service.update_user(session, principal, user_id, active=active)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return _users_page(request, session, principal, error=exc, status=status_of(exc))
    return RedirectResponse("/users", 303)
