"""Reseller pages for staff: the list, adding (enrolment code or keys), the agent's
configuration to download, the profile (legal name, NPWP, zone, groups, contacts,
addresses, price lists), enable/disable, key rotation and the connection check.

Sync health of one reseller stays on ``/resellers/{id}`` (:mod:`hub.web.ops_pages`);
this router comes before it so ``/resellers/new`` is not taken for an id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.core import nav
from hub.core.deps import CurrentPrincipal, SessionDep, SettingsDep, require
from hub.core.errors import status_of
from hub.core.keys import HubKeys
from hub.core.roles import STAFF, Role
from hub.core.templating import render
from hub.masterdata.fields import FormState, Invalid, message_of
from hub.masterdata.pages import FormFields
from hub.resellers import accounts, enrolment, profile, service
from hub.resellers.agentconfig import agent_config
from hub.resellers.models import Enrolment, Reseller
from shared.errors import ConfigError, DataError, SyncHubError

router = APIRouter(include_in_schema=False)
OPS = (Role.OWNER, Role.OPERATIONS)
PAGE = 50
nav.register(nav.NavItem("Resellers", "/resellers", STAFF, order=12))


def _first(form: FormFields, name: str) -> str:
    return (form.get(name) or [""])[-1].strip()


@router.get("/resellers", dependencies=[require(*STAFF)])
def resellers(
    request: Request,
    session: SessionDep,
    q: str = Query("", max_length=100),
    status: str = Query("all", pattern="^(all|enabled|disabled)$"),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """Every reseller (search by id, name or legal name), and enrolments waiting for their agent."""
    stmt = select(Reseller)
    for word in q.split()[:8]:
        like = f"%{word.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Reseller.id).like(like),
                func.lower(Reseller.name).like(like),
                func.lower(Reseller.legal_name).like(like),
            )
        )
    if status != "all":
        stmt = stmt.where(Reseller.enabled.is_(status == "enabled"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Reseller.id).offset((page - 1) * PAGE).limit(PAGE))
    return render(
        request,
        "resellers_list.html",
        {
            "resellers": list(rows),
            "pending": enrolment.pending(session) if page == 1 else [],
            "total": total,
            "q": q,
            "status": status,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "query": urlencode({"q": q, "status": status}),
        },
    )


@router.get("/resellers/suggest", dependencies=[require(*STAFF)])
def suggest(
    request: Request, session: SessionDep, field: str = Query("reseller", max_length=40)
) -> Response:
    """``<option>``s for a reseller field: ids and names matching what is typed."""
    typed = str(request.query_params.get(field, ""))[:60].strip().lower()
    options: list[tuple[str, str]] = []
    if typed:
        like = f"%{typed}%"
        rows = session.execute(
            select(Reseller.id, Reseller.name)
            .where(or_(func.lower(Reseller.id).like(like), func.lower(Reseller.name).like(like)))
            .order_by(Reseller.id)
            .limit(15)
        )
        options = [(rid, f"{name} ({rid})") for rid, name in rows]
    return render(request, "_suggest.html", {"options": options})


NEW_FIELDS = ("id", "name", "legal_name", "region", "how", "ssh_public_key", "signing_public_key")


def _new_page(request: Request, state: FormState, status: int = 200) -> Response:
    return render(request, "reseller_new.html", {"state": state}, status_code=status)


@router.get("/resellers/new", dependencies=[require(*OPS)])
def new_form(request: Request) -> Response:
    """Add a reseller: its agent enrols itself with a one-time code, or paste its keys."""
    return _new_page(request, FormState({"how": "code"}))


@router.post("/resellers/new", dependencies=[require(*OPS)])
def add(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
    settings: SettingsDep,
) -> Response:
    typed = {name: _first(form, name) for name in NEW_FIELDS}
    rid = typed["id"]
    try:
        if typed["how"] == "keys":
            record_keys(session, principal, typed)
            accounts.follow(settings, session, rid)  # the OpenSSH login, when that reception
            return RedirectResponse(f"/resellers/{rid}/profile", 303)
        enrolment.issue(
            session,
            principal,
            rid,
            typed["name"],
            legal_name=typed["legal_name"],
            region_code=typed["region"] or None,
        )
    except Invalid as exc:
        session.rollback()
        return _new_page(request, FormState(typed, exc.fields), 422)
    except SyncHubError as exc:
        session.rollback()
        return _new_page(request, FormState(typed, message=message_of(exc)), status_of(exc))
    return RedirectResponse(f"/resellers/{rid}/enrolment", 303)


def record_keys(session: Session, principal: Any, typed: dict[str, str]) -> None:
    """Enrol with the keys ``syncagent init`` printed; the same path as ``synchub reseller add``."""
    from hub.audit.service import record

    data = {
        "id": typed["id"],
        "name": typed["name"],
        "region_code": typed["region"] or None,
        "ssh_public_key": typed["ssh_public_key"],
        "signing_public_key": typed["signing_public_key"],
    }
    try:  # every bad field at once, before anything is written
        create = service.validate_create(data)
    except ConfigError as exc:
        names = {"region_code": "region"}
        raise Invalid({names.get(p, p or "id"): (m, {}) for p, m in exc.problems}) from None
    if session.get(Enrolment, create.id) is not None:
        session.delete(session.get(Enrolment, create.id))
    record(session, principal, "reseller.enrol", "reseller", create.id, None, {"via": "keys"})
    service.add_reseller(session, create)
    if typed["legal_name"]:
        profile.update_profile(session, principal, create.id, {"legal_name": typed["legal_name"]})


# A reseller being enrolled has no row yet: its pages take {enrolling_id}, not {reseller_id}
# (which require() answers 404 for an id that is not an enrolled reseller).
@router.get("/resellers/{enrolling_id}/enrolment", dependencies=[require(*OPS)])
def enrolment_page(enrolling_id: str, request: Request, session: SessionDep) -> Response:
    """The code to give the reseller (or its agent config to download), until the agent uses it."""
    row = session.get(Enrolment, enrolling_id)
    if row is None or row.used_at is not None:
        if session.get(Reseller, enrolling_id) is not None:
            return RedirectResponse(f"/resellers/{enrolling_id}/profile", 303)
        return render(
            request,
            "error.html",
            {"status": 404, "detail": enrolling_id, "hint": ""},
            status_code=404,
        )
    return render(request, "reseller_enrolment.html", {"e": row})


@router.post("/resellers/{enrolling_id}/enrolment", dependencies=[require(*OPS)])
def new_code(enrolling_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """A fresh code (the old one stops working), e.g. after it expired or leaked."""
    row = session.get(Enrolment, enrolling_id)
    if row is not None and row.used_at is None:
        enrolment.issue(
            session,
            principal,
            enrolling_id,
            row.name,
            legal_name=row.legal_name,
            region_code=row.region_code,
        )
    return RedirectResponse(f"/resellers/{enrolling_id}/enrolment", 303)


@router.get("/resellers/{enrolling_id}/agent-config", dependencies=[require(*OPS)])
def download_agent_config(
    enrolling_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """``syncagent-hub-<id>.toml``: the hub's address and keys (and the enrolment code while
    it is unused) for ``syncagent init --from``."""
    row = session.get(Enrolment, enrolling_id)
    code = row.code if row is not None and row.used_at is None else None
    if code is None and session.get(Reseller, enrolling_id) is None:
        return render(
            request,
            "error.html",
            {"status": 404, "detail": enrolling_id, "hint": ""},
            status_code=404,
        )
    text = agent_config(
        enrolling_id,
        HubKeys.load_or_create(settings.keys_dir),
        settings,
        request.url.hostname or "127.0.0.1",
        str(request.base_url).rstrip("/") + "/api/v1/enrol",
        code,
        row.expires_at if code and row else None,
    )
    headers = {"Content-Disposition": f'attachment; filename="syncagent-hub-{enrolling_id}.toml"'}
    return Response(text, media_type="application/toml", headers=headers)


def _profile_page(
    request: Request,
    session: Session,
    reseller_id: str,
    state: FormState | None = None,
    status: int = 200,
    note: Any = None,
) -> Response:
    row = service.get_row(session, reseller_id)
    values = profile.profile_values(session, row)
    from hub.catalog.pricelists import group_choices
    from hub.notifications.models import Contact
    from hub.shipping.models import ResellerAddress

    return render(
        request,
        "reseller_profile.html",
        {
            "r": row,
            "state": state or FormState(values),
            "zones": profile.ZONES,
            "groups": group_choices(session),
            "lists": profile.price_lists_for(session, reseller_id),
            "contacts": list(
                session.scalars(
                    select(Contact).where(Contact.reseller_id == reseller_id).order_by(Contact.name)
                )
            ),
            "addresses": list(
                session.scalars(
                    select(ResellerAddress)
                    .where(ResellerAddress.reseller_id == reseller_id)
                    .order_by(ResellerAddress.label)
                )
            ),
            "conn": profile.connection(session, reseller_id),
            "mapping": _mapping(session, reseller_id),
            "public": service.get_reseller(session, reseller_id),
            "note": note,
        },
        status_code=status,
    )


def _mapping(session: Session, reseller_id: str) -> dict[str, Any]:
    from hub.mapping import service as mapping
    from hub.mapping.ready import PROFILES

    applied = mapping.applied_profile(session, reseller_id)
    return {"applied": applied.name if applied else None, "profiles": sorted(PROFILES)}


@router.get("/resellers/{reseller_id}/profile", dependencies=[require(*STAFF)])
def profile_page(reseller_id: str, request: Request, session: SessionDep) -> Response:
    """Everything about one reseller that staff keep, and what they can do to it."""
    return _profile_page(request, session, reseller_id)


PROFILE_FIELDS = ("name", "legal_name", "npwp", "region", "platform", "timezone", "notes")


@router.post("/resellers/{reseller_id}/profile", dependencies=[require(*OPS)])
def save_profile(
    reseller_id: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
) -> Response:
    typed: dict[str, Any] = {name: _first(form, name) for name in PROFILE_FIELDS}
    typed["groups"] = [g for g in form.get("groups", []) if g]
    try:
        profile.update_profile(session, principal, reseller_id, typed)
    except Invalid as exc:
        session.rollback()
        return _profile_page(request, session, reseller_id, FormState(typed, exc.fields), 422)
    return RedirectResponse(f"/resellers/{reseller_id}/profile?saved=1", 303)


@router.post("/resellers/{reseller_id}/enabled", dependencies=[require(*OPS)])
def set_enabled(
    reseller_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
    settings: SettingsDep,
) -> Response:
    """Disable (its agent's logins are refused at once; its data stays) or enable again."""
    wanted = _first(form, "enabled")
    if wanted not in ("true", "false"):  # never disable a reseller on a form that did not say so
        raise DataError(
            "enabled must be true or false, got {value}",
            hint="use the Enable / Disable button on the reseller's profile",
            value=repr(wanted),
        )
    profile.set_enabled(session, principal, reseller_id, wanted == "true")
    accounts.follow(settings, session, reseller_id)
    return RedirectResponse(f"/resellers/{reseller_id}/profile", 303)


@router.post("/resellers/{reseller_id}/keys", dependencies=[require(*OPS)])
def rotate(
    reseller_id: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
    settings: SettingsDep,
) -> Response:
    """New SSH and/or signing key from the agent (``syncagent init`` prints them)."""
    try:
        profile.rotate_key(
            session,
            principal,
            reseller_id,
            _first(form, "ssh_public_key"),
            _first(form, "signing_public_key"),
        )
        if _first(form, "ssh_public_key"):
            accounts.follow(settings, session, reseller_id)
    except SyncHubError as exc:
        session.rollback()
        return _profile_page(request, session, reseller_id, status=422, note=exc)
    return RedirectResponse(f"/resellers/{reseller_id}/profile?keys=1", 303)


@router.post("/resellers/{reseller_id}/mapping", dependencies=[require(*OPS)])
def apply_mapping(
    reseller_id: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
) -> Response:
    """Apply a ready-made mapping profile (its preview must show no problem); audited like the API."""
    from hub.mapping import service as mapping
    from hub.mapping.ready import PROFILES

    name = _first(form, "profile")
    profile_ = PROFILES.get(name)
    try:
        if profile_ is None:
            raise Invalid({"profile": ("unknown choice {value}", {"value": name})})
        mapping.apply_audited(session, principal, reseller_id, profile_)
    except SyncHubError as exc:
        session.rollback()
        return _profile_page(request, session, reseller_id, status=422, note=exc)
    return RedirectResponse(f"/resellers/{reseller_id}/profile?mapped=1#mapping", 303)
