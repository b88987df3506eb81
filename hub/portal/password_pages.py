"""Public pages of the password reset: ask for a link by e-mail, open it, choose a new password.

No one is signed in here, so the forms carry the sign-in page's CSRF pair (a random token in the
form and its signed copy in a cookie). Asking for a link always answers the same.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from hub.core.deps import SessionDep, SettingsDep, public
from hub.core.security import CSRF_COOKIE, new_secret, same, signed_csrf, unsign_csrf
from hub.core.settings import HubSettings
from hub.core.templating import language, render
from hub.orders.pages import write
from hub.portal import passwords
from hub.web import cookies
from shared.errors import SyncHubError

router = APIRouter(include_in_schema=False)
SENT = "If an account has this e-mail address, we sent it a link to choose a new password. It works once, for {minutes} minutes."


def _page(
    request: Request, settings: HubSettings, name: str, ctx: dict[str, Any], status: int = 200
) -> Response:
    token = new_secret()
    request.state.login_csrf = token
    response = render(request, name, ctx, status_code=status)
    cookies.set_login_csrf(
        request, response, signed_csrf(settings.secret_key.get_secret_value(), token)
    )
    return response


def _check_csrf(request: Request, settings: HubSettings, sent: str) -> None:
    expected = unsign_csrf(settings.secret_key.get_secret_value(), request.cookies.get(CSRF_COOKIE))
    if not same(sent, expected):
        raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")


@router.get("/password/forgot", dependencies=[public()])
def forgot_form(request: Request, settings: SettingsDep) -> Response:
    """Type the e-mail address of the account."""
    return _page(request, settings, "password_forgot.html", {"sent": None, "email": ""})


@router.post("/password/forgot", dependencies=[public()])
def forgot(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: str = Form("", max_length=passwords.MAX_EMAIL),
    csrf_token: str = Form(""),
) -> Response:
    """Queue the link if the address is an account's; the answer is the same either way."""
    _check_csrf(request, settings, csrf_token)
    lang = language(request)
    write(request, session, lambda s: passwords.request_link(s, settings, email, lang))
    sent = (SENT, {"minutes": settings.password_reset_minutes})
    return _page(request, settings, "password_forgot.html", {"sent": sent, "email": email})


@router.get("/password/reset/{token}", dependencies=[public()])
def reset_form(
    token: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The new-password form, or why the link no longer works."""
    try:
        passwords.valid_link(session, token)
    except SyncHubError as exc:
        return _page(request, settings, "password_reset.html", {"error": exc, "dead": True}, 410)
    return _page(request, settings, "password_reset.html", {"error": "", "dead": False})


@router.post("/password/reset/{token}", dependencies=[public()])
def reset(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    new: str = Form("", max_length=1000),
    repeat: str = Form("", max_length=1000),
    csrf_token: str = Form(""),
) -> Response:
    """Set the new password; every session of the user ends; the link is spent."""
    _check_csrf(request, settings, csrf_token)
    try:
        write(request, session, lambda s: passwords.set_new_password(s, token, new, repeat))
    except SyncHubError as exc:
        dead = "not valid" in exc.message
        return _page(
            request,
            settings,
            "password_reset.html",
            {"error": exc, "dead": dead},
            410 if dead else 422,
        )
    return _page(
        request, settings, "password_reset.html", {"done": True, "error": "", "dead": False}
    )
