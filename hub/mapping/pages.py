"""The mapping editor: map a reseller's own tables to the hub's entities from the browser.

Start from the applied profile, a ready-made one (Northwind, WooCommerce, OpenCart) or a
profile file; pick each entity's dataset and columns and a few transforms; *Preview*
shows sample rows and every problem on the reseller's merged data (and refreshes the
column lists after a dataset changes); *Save* applies the profile when the preview is
clean (audited). The profile downloads as a file for ``synchub data map RESELLER FILE``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from hub.core import nav
from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.i18n import Formatter
from hub.core.roles import Role
from hub.core.templating import language, render
from hub.mapping import service
from hub.mapping.form import LOOKUP, form_from_profile, profile_from_form
from hub.mapping.profiles import ENTITIES, Profile
from hub.mapping.ready import PROFILES
from hub.merge import store
from hub.resellers.service import ResellerNotFound, get_reseller
from shared.errors import DataError

router = APIRouter(include_in_schema=False)
MAPPERS = (Role.OWNER, Role.OPERATIONS)
MAX_FILE = 256 * 1024

nav.register(nav.NavItem("Mapping", "/mapping", frozenset(MAPPERS), order=32))


def _reseller(session: Any, reseller_id: str) -> Any:
    try:
        return get_reseller(session, reseller_id)
    except ResellerNotFound:
        raise HTTPException(404, f"no reseller {reseller_id!r}") from None


def _columns(session: Any, reseller_id: str) -> dict[str, list[str]]:
    """Every merged dataset of the reseller with its columns (what the selects offer)."""
    out = {}
    for d in store.list_datasets(session, reseller_id):
        state = store.latest_schema(session, reseller_id, d.dataset)
        out[d.dataset] = [c.name for c in state.columns] if state else []
    return out


def _page(
    request: Request,
    session: Any,
    reseller_id: str,
    values: dict[str, str],
    *,
    problems: dict[str, str] | None = None,
    preview: dict[str, Any] | None = None,
    message: str = "",
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "mapping_editor.html",
        {
            "reseller": _reseller(session, reseller_id),
            "entities": ENTITIES,
            "columns": _columns(session, reseller_id),
            "ready": PROFILES,
            "v": values,
            "problems": problems or {},
            "preview": preview,
            "message": message,
            "saved": saved,
            "lookup_prefix": LOOKUP,
        },
        status_code=status_code,
    )


@router.get("/mapping", dependencies=[require(*MAPPERS)])
def pick(request: Request, session: SessionDep) -> Response:
    from hub.resellers.service import list_resellers

    return render(request, "mapping_index.html", {"resellers": list_resellers(session)})


@router.get("/mapping/{reseller_id}", dependencies=[require(*MAPPERS)])
def editor(request: Request, session: SessionDep, reseller_id: str, start: str = "") -> Response:
    """The form, filled from ``start`` (a ready-made profile) or the applied profile."""
    _reseller(session, reseller_id)
    fmt = Formatter(language(request))
    profile = PROFILES.get(start) or service.applied_profile(session, reseller_id)
    values = form_from_profile(profile, fmt) if profile else {"name": f"{reseller_id}-profile"}
    return _page(request, session, reseller_id, values)


@router.get("/mapping/{reseller_id}/profile.json", dependencies=[require(*MAPPERS)])
def download(session: SessionDep, reseller_id: str) -> Response:
    """The applied profile as a file (for ``synchub data map RESELLER FILE``)."""
    _reseller(session, reseller_id)
    profile = service.applied_profile(session, reseller_id)
    if profile is None:
        raise HTTPException(404, f"reseller {reseller_id!r} has no mapping profile applied yet")
    return Response(
        profile.model_dump_json(indent=1, exclude_none=True),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{reseller_id}-mapping.json"'},
    )


@router.post("/mapping/{reseller_id}/upload", dependencies=[require(*MAPPERS)])
async def upload(
    request: Request, session: SessionDep, reseller_id: str, file: UploadFile = File(...)
) -> Response:
    """Fill the form from a profile file (applied only when saved)."""
    raw = await file.read(MAX_FILE + 1)
    fmt = Formatter(language(request))
    try:
        if len(raw) > MAX_FILE:
            raise ValueError(f"the file is larger than {MAX_FILE // 1024} KiB")
        profile = Profile.model_validate_json(raw)
    except (ValueError, ValidationError) as e:
        return _page(
            request,
            session,
            reseller_id,
            {"name": f"{reseller_id}-profile"},
            problems={"file": f"{file.filename}: {e}"},
            status_code=422,
        )
    return _page(request, session, reseller_id, form_from_profile(profile, fmt))


@router.post("/mapping/{reseller_id}", dependencies=[require(*MAPPERS)])
async def submit(
    request: Request, session: SessionDep, principal: CurrentPrincipal, reseller_id: str
) -> Response:
    """``action=preview`` (sample rows, problems) or ``action=save`` (apply when clean)."""
    _reseller(session, reseller_id)
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    lang = language(request)
    profile, problems = profile_from_form(form, lang)
    if profile is None:
        return _page(request, session, reseller_id, form, problems=problems, status_code=422)
    result = service.preview(session, reseller_id, profile)
    preview = {e: p for e, p in result.items()}
    if form.get("action") != "save":
        return _page(request, session, reseller_id, form, preview=preview)
    if any(p.problems for p in result.values()):
        msg = Formatter(lang).gettext("Not saved: the preview shows problems.")
        return _page(
            request, session, reseller_id, form, preview=preview, message=msg, status_code=422
        )
    try:
        service.apply_audited(session, principal, reseller_id, profile)
    except DataError as e:  # the data changed since the preview
        session.rollback()
        return _page(request, session, reseller_id, form, preview=preview, message=str(e))
    msg = Formatter(lang).gettext("Saved: profile {name} is applied.", name=profile.name)
    return _page(request, session, reseller_id, form, preview=preview, message=msg, saved=True)
