"""Campaign pages: the list, a new campaign (from a free message, a promotion or the published
offers), a campaign with each recipient's status and its actions, and the public opt-out.

Who may do what: the owner, operations and marketing see campaigns; the owner and
marketing create, send, cancel and retry them (operations decide offers, marketing talks
to resellers). The opt-out page needs no sign-in: its signed token is the permission.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.campaigns import optout, service, views
from hub.campaigns.models import AUDIENCES, SOURCES
from hub.catalog.models import Product, Promotion, ResellerGroup
from hub.core import nav
from hub.core.db import utcnow
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, public, require
from hub.core.i18n import DISPLAY_TZ, translatable
from hub.core.roles import Role
from hub.core.settings import HubSettings
from hub.core.templating import render
from hub.masterdata.fields import FormState, Invalid
from hub.masterdata.pages import FormFields
from hub.notifications.service import CHANNELS
from shared.errors import DataError, SyncHubError

router = APIRouter(include_in_schema=False)
VIEW = (Role.OWNER, Role.OPERATIONS, Role.MARKETING)
SEND = (Role.OWNER, Role.MARKETING)
PAGE = 200
nav.register(nav.NavItem("Campaigns", "/campaigns", frozenset(VIEW), order=76))


@router.get("/campaigns", dependencies=[require(*VIEW)])
def list_page(
    request: Request, session: SessionDep, page: int = Query(1, ge=1, le=100_000)
) -> Response:
    """Every campaign, newest first, with its totals per recipient status."""
    rows = views.listing(session, (page - 1) * PAGE, PAGE)
    return render(
        request,
        "campaigns_list.html",
        {"rows": rows, "page": page, "more": len(rows) == PAGE, "may_send": _may_send(request)},
    )


def _may_send(request: Request) -> bool:
    principal = getattr(request.state, "principal", None)
    return principal is not None and principal.role in SEND


def _choices(session: Session) -> dict[str, Any]:
    now = utcnow()
    promotions = session.execute(
        select(Promotion, Product.sku)
        .join(Product, Product.id == Promotion.product_id)
        .where(Promotion.kind == "standard", Promotion.active.is_(True), Promotion.valid_to > now)
        .order_by(Promotion.valid_to)
        .limit(500)
    ).all()
    groups = session.scalars(select(ResellerGroup).order_by(ResellerGroup.name)).all()
    return {
        "sources": SOURCES,
        "audiences": AUDIENCES,
        "channels": CHANNELS,
        "promotions": promotions,
        "groups": groups,
    }


def _form(request: Request, session: Session, state: FormState, status: int = 200) -> Response:
    return render(
        request, "campaigns_new.html", {"state": state, **_choices(session)}, status_code=status
    )


@router.get("/campaigns/new", dependencies=[require(*SEND)])
def new_page(
    request: Request,
    session: SessionDep,
    source: str = Query("message", max_length=20),
    promotion: int | None = Query(None, ge=1, le=2_147_483_647),
) -> Response:
    """A new campaign, its text started from the built-in one of its source."""
    typed = service.blank(source)
    if promotion is not None:
        typed["promotion_id"] = str(promotion)
    return _form(request, session, FormState(typed))


@router.post("/campaigns/new", dependencies=[require(*SEND)])
def create(
    request: Request, session: SessionDep, principal: CurrentPrincipal, form: FormFields
) -> Response:
    """Save the campaign as a draft (nothing is sent yet), then show it."""
    data: dict[str, Any] = {k: (v[-1] if v else "") for k, v in form.items()}
    data["channels"] = form.get("channels", [])
    try:
        campaign = service.create(session, principal, data)
    except Invalid as exc:
        session.rollback()
        return _form(request, session, FormState(data, exc.fields), 422)
    return RedirectResponse(f"/campaigns/{campaign.id}", 303)


def _detail(
    request: Request,
    session: Session,
    settings: HubSettings,
    campaign_id: int,
    status: str | None,
    error: SyncHubError | None = None,
    code: int = 200,
    page: int = 1,
) -> Response:
    campaign = service.get(session, campaign_id)
    rows = views.rows(session, campaign_id, status, (page - 1) * PAGE, PAGE)
    return render(
        request,
        "campaigns_detail.html",
        {
            "c": campaign,
            "counts": views.counts(session, campaign_id),
            "rows": rows,
            "page": page,
            "more": len(rows) == PAGE,
            "status": status or "",
            "shown": views.SHOWN,
            "may_send": _may_send(request),
            "failed": len(service.failed_messages(session, campaign_id)),
            "no_public_url": not settings.campaign_public_url,
            "per_minute": settings.campaign_per_minute,
            "error": error,
        },
        status_code=code,
    )


@router.get("/campaigns/{campaign_id}", dependencies=[require(*VIEW)])
def detail(
    campaign_id: RowId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    status: str | None = Query(None, pattern="^(sent|failed|queued|waiting|skipped)$"),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """A campaign: its text, its audience, and each recipient's status with the reason."""
    return _detail(request, session, settings, campaign_id, status, page=page)


def _when(raw: str) -> dt.datetime | None:
    """A ``datetime-local`` value in WIB as UTC; empty: now."""
    if not raw.strip():
        return None
    try:
        local = dt.datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise translatable(DataError, "write a date and time like 2026-12-24 09:00") from exc
    return local.replace(tzinfo=DISPLAY_TZ).astimezone(dt.timezone.utc)


@router.post("/campaigns/{campaign_id}/send", dependencies=[require(*SEND)])
def send(
    campaign_id: RowId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    form: FormFields,
) -> Response:
    """Send now (recipients listed at once, queued at the rate) or at the time given (WIB)."""
    try:
        service.send(session, principal, campaign_id, _when((form.get("at") or [""])[-1]))
    except DataError as exc:
        session.rollback()
        return _detail(request, session, settings, campaign_id, None, exc, 422)
    return RedirectResponse(f"/campaigns/{campaign_id}", 303)


@router.post("/campaigns/{campaign_id}/cancel", dependencies=[require(*SEND)])
def cancel(campaign_id: RowId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Stop it: who still waits is skipped."""
    service.cancel(session, principal, campaign_id)
    return RedirectResponse(f"/campaigns/{campaign_id}", 303)


@router.post("/campaigns/{campaign_id}/retry", dependencies=[require(*SEND)])
def retry(campaign_id: RowId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Send again to those whose message failed, and only to them."""
    service.retry(session, principal, campaign_id)
    return RedirectResponse(f"/campaigns/{campaign_id}", 303)


@router.get("/campaigns/opt-out/{token}", dependencies=[public()])
def opt_out_page(
    token: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """What the link in a message opens: whose address, which channel, one button."""
    try:
        t = optout.target(session, settings.secret_key.get_secret_value(), token[:500])
    except SyncHubError as exc:
        return render(request, "campaigns_opt_out.html", {"error": exc, "t": None}, 404)
    return render(request, "campaigns_opt_out.html", {"t": t, "done": not t.opted_in})


@router.post("/campaigns/opt-out/{token}", dependencies=[public()])
def opt_out(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Record the opt-out (a link checker's GET never does: only this button)."""
    try:
        t = optout.opt_out(session, settings.secret_key.get_secret_value(), token[:500])
    except SyncHubError as exc:
        return render(request, "campaigns_opt_out.html", {"error": exc, "t": None}, 404)
    return render(request, "campaigns_opt_out.html", {"t": t, "done": True})
