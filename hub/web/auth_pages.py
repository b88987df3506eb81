"""Sign-in, sign-out, language switch and the user's own account page (password change)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from hub.core.deps import (
    CurrentPrincipal,
    OptionalPrincipal,
    SessionDep,
    SettingsDep,
    WriteSessionDep,
    public,
    require,
)
from hub.core.i18n import LOCALES
from hub.core.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    WeakPassword,
    new_secret,
    same,
    signed_csrf,
    unsign_csrf,
)
from hub.core.templating import render
from hub.users import service, sessions, setup
from hub.users.throttle import LockedOut
from hub.web import cookies
from shared.errors import Forbidden, NotFound, SyncHubError

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    request: Request,
    settings: SettingsDep,
    error: str = "",
    status: int = 200,
    next_: str = "/",
    first_start: bool = False,
) -> Response:
    token = new_secret()
    request.state.login_csrf = token
    page = {"error": error, "next": next_, "first_start": first_start}
    response = render(request, "login.html", page, status_code=status)
    cookies.set_login_csrf(
        request, response, signed_csrf(settings.secret_key.get_secret_value(), token)
    )
    return response


@router.get("/login", dependencies=[public()])
def login_form(
    request: Request, session: SessionDep, settings: SettingsDep, next: str = "/"
) -> Response:
    """Shown even when signed in (to switch user); signing in again replaces the session.
    A hub without users points to its first start (``/setup``)."""
    return _login_page(request, settings, next_=safe_next(next), first_start=setup.needed(session))


@router.post("/login", dependencies=[public()])
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    expected = unsign_csrf(settings.secret_key.get_secret_value(), request.cookies.get(CSRF_COOKIE))
    if not same(csrf_token, expected):
        raise HTTPException(
            403, "CSRF token missing or wrong: reload the sign-in page and try again"
        )
    ip = request.client.host if request.client else "?"
    try:
        user = service.authenticate(session, settings, username, password, ip)
    except LockedOut as exc:
        resp = _login_page(
            request, settings, "Too many failed sign-ins. Try again later.", 429, safe_next(next)
        )
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
    except service.BadCredentials:
        return _login_page(request, settings, "Wrong username or password.", 401, safe_next(next))
    # A fresh session id, and any session id the browser brought dies (session fixation).
    sid, _ = sessions.start_session(
        session,
        user,
        settings.session_max_age_seconds,
        replaces=request.cookies.get(SESSION_COOKIE),
    )
    target = "/account" if user.must_change_password else safe_next(next)
    response = RedirectResponse(target, 303)
    cookies.set_session(request, response, sid)
    response.delete_cookie(CSRF_COOKIE, path="/")
    if user.locale:
        cookies.set_lang(request, response, user.locale)
    return response


@router.post("/logout", dependencies=[require(temporary_ok=True)])
def logout(request: Request, session: SessionDep) -> Response:
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        sessions.end_session(session, sid)
    response = RedirectResponse("/login", 303)
    cookies.clear_session(request, response)
    return response


@router.get("/lang/{code}", dependencies=[public()])
def switch_language(
    code: str,
    request: Request,
    session: WriteSessionDep,
    principal: OptionalPrincipal,
    next: str = "/",
) -> Response:
    """Remembered twice: in a cookie (this browser) and as the user's preference (next sign-in)."""
    if code not in LOCALES:
        raise NotFound(
            "no language {code}",
            hint="choose one of {known}",
            code=repr(code),
            known=", ".join(LOCALES),
        )
    if principal is not None and principal.user_id is not None:
        service.set_locale(session, principal.user_id, code)
    response = RedirectResponse(safe_next(next), 303)
    cookies.set_lang(request, response, code)
    return response


@router.get("/account", dependencies=[require(temporary_ok=True)])
def account(request: Request) -> Response:
    return render(request, "account.html", {"message": "", "error": ""})


@router.post("/account/password", dependencies=[require(temporary_ok=True)])
def change_password(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    current: str = Form(""),
    new: str = Form(""),
    repeat: str = Form(""),
) -> Response:
    user = getattr(request.state, "user", None)
    if user is None:
        raise Forbidden("API tokens have no password", hint="sign in as a user to change one")
    error = ""
    if new != repeat:
        error = "The two new passwords differ."
    else:
        try:
            keep = request.cookies.get(SESSION_COOKIE)  # this session stays, the others end
            service.change_password(session, user, current, new, keep_session=keep)
        except service.BadCredentials:
            error = "The current password is wrong."
        except WeakPassword as exc:
            error = str(exc)
    return render(
        request,
        "account.html",
        {"message": "" if error else "Password changed.", "error": error},
        status_code=422 if error else 200,
    )


# --- the first owner of an empty hub ---------------------------------------------------


def _setup_page(
    request: Request,
    settings: SettingsDep,
    state: dict[str, str],
    error: Any = "",
    status: int = 200,
) -> Response:
    token = new_secret()
    request.state.login_csrf = token
    page = {"typed": state, "error": error, "file": str(setup.code_file(settings.home))}
    response = render(request, "setup.html", page, status_code=status)
    cookies.set_login_csrf(
        request, response, signed_csrf(settings.secret_key.get_secret_value(), token)
    )
    return response


@router.get("/setup", dependencies=[public()])
def setup_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Only while the hub has no user: the first owner, with the setup code from the hub's disk."""
    if not setup.needed(session):
        return RedirectResponse("/login", 303)
    setup.ensure_code(settings.home)
    return _setup_page(request, settings, {})


@router.post("/setup", dependencies=[public()])
def setup_owner(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: str = Form(""),
    username: str = Form(""),
    display_name: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    expected = unsign_csrf(settings.secret_key.get_secret_value(), request.cookies.get(CSRF_COOKIE))
    if not same(csrf_token, expected):
        raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")
    typed = {"username": username, "display_name": display_name}
    try:
        setup.create_owner(session, settings.home, code, username, password, display_name)
    except (SyncHubError, WeakPassword) as exc:
        session.rollback()
        status = 403 if isinstance(exc, Forbidden) else 422
        return _setup_page(request, settings, typed, exc, status)
    return RedirectResponse("/login?next=/master", 303)
