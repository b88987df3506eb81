"""``/account/profile``: the signed-in user's e-mail (for password resets), phone, language."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.errors import status_of
from hub.core.i18n import LOCALES
from hub.core.roles import Principal
from hub.core.templating import language, render
from hub.orders.pages import write
from hub.portal import profile
from hub.web import cookies
from shared.errors import SyncHubError

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    form: Optional[profile.ProfileForm] = None,
    message: str = "",
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    if form is None:
        stored = profile.profile_of(session, principal.user_id or 0)
        form = profile.ProfileForm(stored.email, stored.phone, language(request))
    return render(
        request,
        "account_profile.html",
        {"form": form, "locales": LOCALES, "message": message, "error": error},
        status_code=status,
    )


@router.get("/account/profile", dependencies=[require()])
def profile_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """What the hub knows of the user, to change."""
    return _page(request, session, principal)


@router.post("/account/profile", dependencies=[require()])
def save_profile(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    email: str = Form("", max_length=300),
    phone: str = Form("", max_length=100),
    locale: str = Form("id", max_length=8),
) -> Response:
    """Save; a refused value re-renders the form with the message and what was typed."""
    form = profile.ProfileForm(email, phone, locale)
    try:
        write(request, session, lambda s: profile.save(s, principal, form))
    except SyncHubError as exc:
        return _page(request, session, principal, form=form, error=exc, status=status_of(exc))
    response = _page(request, session, principal, form=form, message="Profile saved.")
    cookies.set_lang(request, response, locale)
    return response
