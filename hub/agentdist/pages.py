"""``/agent``: download the syncagent package (wheel) with its SHA-256, for staff and resellers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from hub.agentdist.wheel import REQUIRES_PYTHON, cached
from hub.core import nav
from hub.core.deps import SettingsDep, require
from hub.core.roles import RESELLER_ROLES, STAFF
from hub.core.templating import render
from shared.errors import NotFound

router = APIRouter(include_in_schema=False)
nav.register(nav.NavItem("Agent", "/agent", STAFF | RESELLER_ROLES, order=90))


@router.get("/agent", dependencies=[require()])
def agent_page(request: Request, settings: SettingsDep) -> Response:
    wheel = cached(settings.home / "downloads")
    return render(request, "agent_download.html", {"wheel": wheel, "python": REQUIRES_PYTHON})


@router.get("/agent/{name}", dependencies=[require()])
def agent_file(name: str, settings: SettingsDep) -> Response:
    wheel = cached(settings.home / "downloads")
    if name != wheel.name:
        raise NotFound(
            "no file {name}: the current agent is {current}", name=repr(name), current=wheel.name
        )
    return FileResponse(wheel.path, media_type="application/zip", filename=wheel.name)
