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
from hub.core.i18n import LOCALES, Formatter, pick
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
        # read once per process (a deploy restarts it): with reloading on, every
        # get_template and every {% include %} in a table row stat()s its file again
        auto_reload=False,
    )
    return env


def language(request: Request, *, negotiate: bool = True) -> str:
    """Cookie (explicit switch) first, then the user's saved preference, then (API calls only)
    the request's ``Accept-Language``, then the hub default.

    Pages ignore the browser's ``Accept-Language``: the hub speaks Indonesian until a person
    switches, whatever language the browser was installed in. So do documents (invoices,
    receipts: ``negotiate=False``), although they are fetched under ``/api/``: a paper is
    filed in the reseller's language, not in the one its browser or script happens to ask for.
    """
    state = getattr(request.app.state, "hub", None)  # absent in single-router test apps
    default = state.settings.default_locale if state is not None else "id"
    chosen = request.cookies.get(LANG_COOKIE) or getattr(request.state, "user_locale", None)
    if not chosen and negotiate and request.url.path.startswith("/api/"):
        chosen = accepted(request.headers.get("accept-language", ""))
    return pick(chosen, default)


def accepted(header: str) -> str | None:
    """The first language of an ``Accept-Language`` header the hub speaks (``en-US`` is ``en``)."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        ranked.append((-q, i, tag.strip().lower().split("-")[0]))
    return next((lang for _, _, lang in sorted(ranked) if lang in LOCALES), None)


def formatter(request: Request) -> Formatter:
    """The reader's language and time zone, as pages show them (for values a page formats in
    Python, e.g. a table's cells, instead of one template call per cell)."""
    return Formatter(language(request), getattr(request.state, "user_tz", None))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    fmt = formatter(request)
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
