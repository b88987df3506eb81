"""Owner's pages: the audit log (filterable, read-only) and user administration.

The users page also serves reseller admins: :mod:`hub.users.service` scopes what
they see and may change to their own reseller, so the page only adapts the form.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hub.audit.service import AuditFilter, list_entries
from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.errors import status_of
from hub.core.i18n import Formatter, parse_date, zone
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.core.templating import formatter, language, render
from hub.resellers.service import has_resellers
from hub.users import service
from shared.errors import DataError, SyncHubError

router = APIRouter(include_in_schema=False)
OWNER = frozenset({Role.OWNER})
USER_ADMINS = (Role.OWNER, Role.RESELLER_ADMIN)
PAGE = 100

nav.register(nav.NavItem("Audit log", "/audit", OWNER, order=80))
nav.register(nav.NavItem("Users", "/users", frozenset(USER_ADMINS), order=90))


def _day(raw: str, lang: str, errors: dict[str, Exception]) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return parse_date(raw, lang)
    except DataError as exc:
        errors[raw] = exc
        return None


def _change(values: Any, fmt: Formatter) -> list[tuple[str, str, bool]] | str | None:
    """A before/after value as the audit page shows it: (name, text, is code) per field of a
    mapping (a state in the reader's words, nested values as JSON), JSON text for anything
    else, None for nothing. Done here, once per entry: a hundred rows of template calls per
    field cost more than the rest of the page."""
    if values is None:
        return None
    if not isinstance(values, dict):
        return json.dumps(values, sort_keys=True, default=str)
    shown = []
    for k, v in sorted(values.items()):
        if k == "state" and isinstance(v, str):
            shown.append((k, fmt.gettext(v.replace("_", " ")), False))
        elif isinstance(v, (dict, list, tuple)):
            shown.append((k, json.dumps(v, sort_keys=True, default=str), True))
        else:
            shown.append((k, str(v), False))
    return shown


def _entry(e: Any, fmt: Formatter) -> dict[str, Any]:
    what = e.action.split(".", 1)
    return {
        "e": e,
        "at": fmt.datetime(e.at),
        "role": fmt.gettext(e.actor_role) if e.actor_role else "",
        "what": ": ".join(fmt.gettext(w.replace("_", " ")) for w in what),
        "before": _change(e.before, fmt),
        "after": _change(e.after, fmt),
    }


@router.get("/audit", dependencies=[require(Role.OWNER)])
def audit(
    request: Request,
    session: SessionDep,
    actor: str = Query("", max_length=100),
    action: str = Query("", max_length=64),
    entity: str = Query("", max_length=64),
    entity_id: str = Query("", max_length=100),
    since: str = Query("", max_length=40),
    until: str = Query("", max_length=40),
    page: str = Query("1", max_length=12),
) -> Response:
    """Newest first, 100 a page; days in the reader's zone; a date that is not one is said so."""
    lang, errors = language(request), dict[str, Exception]()
    start, end = _day(since, lang, errors), _day(until, lang, errors)
    tz = zone(getattr(request.state, "user_tz", None))
    f = AuditFilter(
        actor.strip() or None,
        action.strip() or None,
        entity.strip() or None,
        entity_id.strip() or None,
        dt.datetime.combine(start, dt.time(), tz).astimezone(dt.timezone.utc) if start else None,
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.timezone.utc)
        if end
        else None,
    )
    number = max(1, min(int(page) if page.isdigit() else 1, 100_000))
    cap = (number + 10) * PAGE  # enough to number the pages ahead of this one
    entries, total = list_entries(session, f, limit=PAGE, offset=(number - 1) * PAGE, cap=cap)
    fmt = formatter(request)
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    return render(
        request,
        "audit.html",
        {
            "entries": [_entry(e, fmt) for e in entries],
            "total": total,
            "f": f,
            "page": number,
            "pages": max(1, -(-total // PAGE)),
            "more": total > cap,
            "query": urlencode(query),
            "since": since,
            "until": until,
            "error": next(iter(errors.values()), ""),
        },
        status_code=422 if errors else 200,
    )


def _users_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    message: tuple[str, dict[str, str]] | None = None,
    error: str | Exception = "",
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """The list and the add form (no role chosen for you; the reseller typed with suggestions,
    not a list of every reseller); a reseller admin is offered reseller roles of its own
    reseller only. ``message``: a message id and its values, translated by the page."""
    own = principal.reseller_id if principal.role is Role.RESELLER_ADMIN else None
    roles = [r for r in Role if r in RESELLER_ROLES] if own else list(Role)
    any_reseller = bool(own) or has_resellers(session)
    return render(
        request,
        "users.html",
        {
            "users": service.list_users(session, actor=principal),
            "roles": roles,
            "any_reseller": any_reseller,
            "own_reseller": own,
            "message": message,
            "error": error,
            "form": form or {},
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
        typed = {"username": username, "display_name": display_name, "role": role}
        typed["reseller_id"] = reseller_id
        return _users_page(
            request, session, principal, error=exc, status=status_of(exc), form=typed
        )
    return _users_page(
        request, session, principal, message=("User {username} created.", {"username": username})
    )


@router.post("/users/{user_id}/reset", dependencies=[require(*USER_ADMINS)])
def reset(
    user_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    try:
        temporary = service.reset_password(session, principal, user_id)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return _users_page(request, session, principal, error=exc, status=status_of(exc))
    return _users_page(
        request,
        session,
        principal,
        message=("Temporary password: {password}", {"password": temporary}),
    )


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
