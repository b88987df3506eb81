"""Notification pages for staff: reseller contacts (master data), the outbox (queued, sent,
failed with the reason, retry) and the templates' wording in Indonesian and English."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.roles import Role
from hub.core.templating import render
from hub.masterdata.fields import FormState, Invalid
from hub.masterdata.pages import FormFields
from hub.masterdata.registry import routers
from hub.notifications import outbox
from hub.notifications.records import CONTACTS
from hub.notifications.templates import TEMPLATES

router = routers((CONTACTS, 12))
api = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
WATCH = (Role.OWNER, Role.OPERATIONS, Role.MARKETING)
PAGE = 50
nav.register(nav.NavItem("Notifications", "/notifications", frozenset(WATCH), order=75))


@router.get("/notifications", dependencies=[require(*WATCH)], include_in_schema=False)
def outbox_page(
    request: Request,
    session: SessionDep,
    status: str = Query("failed", pattern="^(pending|failed|sent)$"),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """Messages by status, newest first; failed ones with the reason and a retry button."""
    rows = outbox.page(session, status, (page - 1) * PAGE, PAGE)
    return render(
        request,
        "notifications_outbox.html",
        {
            "rows": rows,
            "status": status,
            "counts": outbox.counts(session),
            "cap": outbox.COUNT_CAP,
            "page": page,
            "more": len(rows) == PAGE,
        },
    )


@router.post(
    "/notifications/{message_id}/retry", dependencies=[require(*WATCH)], include_in_schema=False
)
def retry(message_id: RowId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Send a failed message again (the delivery job picks it up within a minute)."""
    outbox.retry(session, principal, message_id)
    return RedirectResponse("/notifications?status=pending", 303)


def _templates(
    request: Request,
    session: Any,
    state: dict[tuple[str, str], FormState] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "notifications_templates.html",
        {"wordings": outbox.wordings(session), "state": state or {}},
        status_code=status,
    )


@router.get("/notifications/templates", dependencies=[require(*WATCH)], include_in_schema=False)
def templates_page(request: Request, session: SessionDep) -> Response:
    """Every message in Indonesian and English: the built-in wording or staff's own."""
    return _templates(request, session)


@router.post(
    "/notifications/templates/{template}/{locale}",
    dependencies=[require(Role.OWNER, Role.OPERATIONS, Role.MARKETING)],
    include_in_schema=False,
)
def save_template(
    template: str,
    locale: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
) -> Response:
    """Staff's wording (only the built-in text's fields); empty subject and body: the built-in."""
    subject, body = (form.get("subject") or [""])[-1], (form.get("body") or [""])[-1]
    if template not in TEMPLATES:
        return RedirectResponse("/notifications/templates", 303)
    try:
        outbox.set_wording(session, principal, template, locale, subject, body)
    except Invalid as exc:
        session.rollback()
        typed = {(template, locale): FormState({"subject": subject, "body": body}, exc.fields)}
        return _templates(request, session, typed, 422)
    return RedirectResponse(f"/notifications/templates#{template}-{locale}", 303)


class MessagePublic(BaseModel):
    id: int
    reseller_id: str | None
    channel: str
    recipient: str
    template: str
    locale: str
    status: str
    attempts: int
    last_error: str


class MessagesPublic(BaseModel):
    data: list[MessagePublic]


@api.get("", dependencies=[require(*WATCH)])
def list_messages(
    session: SessionDep,
    status: str = Query("failed", pattern="^(pending|failed|sent)$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> MessagesPublic:
    """The outbox by status, newest first (failed: with the reason)."""
    rows = outbox.page(session, status, offset, limit)
    return MessagesPublic(
        data=[MessagePublic.model_validate(r, from_attributes=True) for r in rows]
    )


@api.post("/{message_id}/retry", dependencies=[require(*WATCH)])
def retry_message(
    message_id: RowId, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, str]:
    """Queue a failed message again (audited)."""
    outbox.retry(session, principal, message_id)
    return {"status": "pending"}
