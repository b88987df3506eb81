"""Server-rendered pages: one Jinja2 environment (autoescape on) and a ``render`` helper.

Templates live in ``hub/web/templates`` and in any capability's ``hub/<cap>/templates``;
``{% extends "base.html" %}`` gives them the layout, menu and language switch.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hub.core import nav
from hub.core.i18n import Formatter, pick
from hub.core.security import CSRF_FIELD, LANG_COOKIE

HUB = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def environment() -> Environment:
    dirs = [
        HUB / "web" / "templates",
        *sorted(p for p in HUB.glob("*/templates") if p.parent.name != "web"),
    ]
    env = Environment(
        loader=FileSystemLoader([str(d) for d in dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    return env


def language(request: Request) -> str:
    """Cookie (explicit switch) first, then the user's saved preference, then the hub default."""
    state = getattr(request.app.state, "hub", None)  # absent in single-router test apps
    default = state.settings.default_locale if state is not None else "id"
    return pick(
        request.cookies.get(LANG_COOKIE) or getattr(request.state, "user_locale", None), default
    )


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    fmt = Formatter(language(request), getattr(request.state, "user_tz", None))
    principal = getattr(request.state, "principal", None)
    if isinstance((context or {}).get("error"), BaseException):  # pages pass the error itself
        context = {**(context or {}), "error": fmt.error(context["error"])}  # type: ignore[index]
    page = {
        "request": request,
        "_": fmt.gettext,
        "fmt": fmt,
        "lang": fmt.lang,
        "principal": principal,
        "nav": nav.items_for(principal),
        "csrf_field": CSRF_FIELD,
        "csrf_token": getattr(request.state, "csrf_token", "")
        or getattr(request.state, "login_csrf", ""),
        "path": request.url.path,
        **(context or {}),
    }
    html = environment().get_template(template).render(page)
    return HTMLResponse(html, status_code=status_code)
