"""Setting the web layer's cookies with the right flags (HttpOnly, SameSite=Lax, Secure when due)."""

from __future__ import annotations

from fastapi import Request, Response

from hub.core.security import CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE
from hub.core.state import hub_state


def secure(request: Request) -> bool:
    """Secure cookies in production, when configured, or whenever the request came over https."""
    settings = hub_state(request).settings
    if settings.cookie_secure is not None:
        return bool(settings.cookie_secure)
    return settings.environment == "production" or request.url.scheme == "https"


def set_session(request: Request, response: Response, sid: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        sid,
        max_age=hub_state(request).settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request)
    )


def set_login_csrf(request: Request, response: Response, signed: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, signed, httponly=True, samesite="lax", secure=secure(request), path="/"
    )


def set_lang(request: Request, response: Response, lang: str) -> None:
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )
