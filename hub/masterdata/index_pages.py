"""``/master``: every kind of master data the caller may see, with how many records each has."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hub.core import nav
from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.roles import STAFF
from hub.core.templating import render
from hub.masterdata.registry import ordered, pages

router = APIRouter(include_in_schema=False)
CAP = 1000  # counts on the index stop here ("1.000+"): a big log is not scanned to draw it
nav.register(nav.NavItem("Master data", "/master", STAFF, order=35))


@router.get("/master", dependencies=[require(*STAFF)])
def index(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Links to each list, with its number of active records."""
    entries = [
        (order, k.title, f"/{k.slug}", k.help, k.count(session, CAP))
        for order, k in ordered()
        if principal.role in k.view_roles
    ] + [
        (p.order, p.title, p.href, p.help, p.count(session))
        for p in pages()
        if principal.role in p.view_roles
    ]
    entries.sort(key=lambda e: (e[0], e[2]))
    return render(request, "md_index.html", {"entries": [e[1:] for e in entries], "cap": CAP})
