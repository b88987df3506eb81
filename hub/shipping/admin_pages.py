"""Shipping set-up pages for staff: regions (one click), rate cards (upload, preview, apply),
warehouses and delivery addresses (master data), and the region suggestions forms use.

Loading the bundled regions takes seconds (84,000 villages): it runs in a thread of its
own, one at a time per hub process, and the page shows its progress with totals until
it is done, then what was loaded — or why it failed and what to do.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine, func, literal, or_, select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.deps import CurrentPrincipal, SessionDep, SettingsDep, require
from hub.core.errors import status_of
from hub.core.roles import EVERYONE, STAFF, Principal
from hub.core.sheets import MEDIA_TYPES
from hub.core.staging import UPLOAD_BODY_LIMIT, Staging, read_upload
from hub.core.state import hub_state
from hub.core.templating import render
from hub.masterdata.registry import Page, register_page, routers
from hub.shipping import ratecards
from hub.shipping.models import LEVELS, PostalCode, RateCard, Region
from hub.shipping.records import ADDRESSES, OPS, STOCK, WAREHOUSES
from hub.shipping.regionimport import RegionImportReport, load_audited
from hub.shipping.regions import search
from shared.errors import SyncHubError

router = routers((WAREHOUSES, 40), (ADDRESSES, 60))
PAGE = 50


def _count(model: Any, *where: Any) -> Callable[[Session], int]:
    def count(session: Session) -> int:  # capped like the index's other counts
        capped = select(literal(1)).select_from(model).where(*where).limit(1001).subquery()
        return int(session.scalar(select(func.count()).select_from(capped)) or 0)

    return count


register_page(
    Page(
        "Regions",
        "/regions",
        STAFF,
        _count(Region, Region.level == 4),
        "Provinces to villages and postal codes, loaded in one click from the data the hub ships.",
        order=5,
    )
)
register_page(
    Page(
        "Rate cards",
        "/rate-cards",
        STOCK,
        _count(RateCard),
        "Courier tariffs with the dates they apply; upload a file, check the preview, confirm.",
        order=45,
    )
)


# --- regions ----------------------------------------------------------------------------


@dataclass
class RegionLoad:
    """The state of this process's region load, shown by the regions page."""

    running: bool = False
    step: str = ""
    done: int = 0
    total: int = 0
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    by: str = ""
    report: RegionImportReport | None = None
    error: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _load(request: Request) -> RegionLoad:
    return hub_state(request).part(RegionLoad, RegionLoad)


def _run_load(engine: Engine, state: RegionLoad, principal: Principal) -> None:
    def progress(step: str, done: int, total: int) -> None:
        state.step, state.done, state.total = step, done, total

    try:
        with engine.begin() as conn:
            report = load_audited(conn, principal, progress=progress)
        state.report = report
    except Exception as exc:  # the page says what failed; the log has the traceback
        import logging

        logging.getLogger("hub.shipping").exception("loading regions failed")
        state.error = exc
    finally:
        state.finished, state.running = utcnow(), False


def _counts(session: Session) -> dict[str, int]:
    levels = dict(session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    out = {LEVELS[level]: int(levels.get(level, 0)) for level in LEVELS}
    out["postal codes"] = int(session.scalar(select(func.count()).select_from(PostalCode)) or 0)
    return out


@router.get("/regions", dependencies=[require(*STAFF)], include_in_schema=False)
def regions_page(request: Request, session: SessionDep) -> Response:
    """How many regions are loaded; a button loads the bundled ones (progress while it runs)."""
    return render(
        request, "shipping_regions.html", {"counts": _counts(session), "load": _load(request)}
    )


@router.post("/regions/load", dependencies=[require(*OPS)], include_in_schema=False)
def load_regions(request: Request, principal: CurrentPrincipal) -> Response:
    """Load (or refresh) provinces … villages, postal codes and the BPS mapping from the bundled data."""
    state = _load(request)
    with state.lock:
        if not state.running:
            state.running, state.started, state.finished = True, utcnow(), None
            state.step, state.done, state.total = "", 0, 0
            state.report, state.error, state.by = None, None, principal.username
            threading.Thread(
                target=_run_load, args=(hub_state(request).engine, state, principal), daemon=True
            ).start()
    return RedirectResponse("/regions", 303)


@router.get("/regions/suggest", dependencies=[require(*EVERYONE)], include_in_schema=False)
def suggest_regions(
    request: Request, session: SessionDep, field: str = Query("region", max_length=40)
) -> Response:
    """``<option>``s for a region field: regions whose name or postal code matches what is typed."""
    q = str(request.query_params.get(field, ""))[:100].strip()
    hits: list[tuple[Region, str]] = []
    if len(q) >= 3:
        hits = (
            search(session, postal_code=q, limit=15)
            if q.isdigit()
            else search(session, q, limit=15)
        )
    return render(
        request, "_suggest.html", {"options": [(r.kode, f"{path} ({r.kode})") for r, path in hits]}
    )


# --- rate cards ---------------------------------------------------------------------------


def _cards(
    session: Session, courier: str, service: str, place: str, on: dt.date | None, page: int
) -> tuple[list[RateCard], int]:
    stmt = select(RateCard)
    if courier:
        stmt = stmt.where(RateCard.courier == courier.upper())
    if service:
        stmt = stmt.where(RateCard.service == service.upper())
    if place:
        stmt = stmt.where(
            or_(RateCard.origin.startswith(place), RateCard.destination.startswith(place))
        )
    if on is not None:
        stmt = stmt.where(
            RateCard.effective_from <= on,
            or_(RateCard.effective_to.is_(None), RateCard.effective_to > on),
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(
            RateCard.courier,
            RateCard.service,
            RateCard.origin,
            RateCard.destination,
            RateCard.effective_from,
        )
        .offset((page - 1) * PAGE)
        .limit(PAGE)
    )
    return list(rows), int(total)


def _rate_page(
    request: Request,
    session: Session,
    *,
    plan: list[dict[str, Any]] | None = None,
    problems: list[Any] | None = None,
    upload: str = "",
    filename: str = "",
    message: Any = None,
    error: Any = "",
    status_code: int = 200,
) -> Response:
    q = request.query_params
    courier, service, place = (q.get(k, "")[:16].strip() for k in ("courier", "service", "place"))
    on_raw = q.get("on", "")
    try:
        on = dt.date.fromisoformat(on_raw) if on_raw else None
    except ValueError:
        on, error = None, error or "the date is not valid: pick it in the calendar"
    page = max(1, min(100_000, int(q.get("page", "1")) if q.get("page", "1").isdigit() else 1))
    cards, total = _cards(session, courier, service, place, on, page)
    return render(
        request,
        "shipping_ratecards.html",
        {
            "cards": cards,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "f": {"courier": courier, "service": service, "place": place, "on": on_raw},
            "plan": plan,
            "problems": problems or [],
            "upload": upload,
            "filename": filename,
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/rate-cards", dependencies=[require(*STOCK)], include_in_schema=False)
def rate_cards(request: Request, session: SessionDep) -> Response:
    """The tariff lines, filtered by courier, service, region and the date they apply on."""
    return _rate_page(request, session)


@router.get("/rate-cards/export", dependencies=[require(*STOCK)], include_in_schema=False)
def export_rate_cards(
    session: SessionDep,
    format: str = Query("csv", pattern="^(csv|xlsx)$"),
    on: dt.date | None = None,
) -> Response:
    """The rate cards in the import's columns (only those in effect ``on`` a date, if given)."""
    data = ratecards.export_bytes(session, format, on)
    headers = {"Content-Disposition": f'attachment; filename="rate-cards.{format}"'}
    return Response(data, media_type=MEDIA_TYPES[format], headers=headers)


@router.post(
    "/rate-cards/upload",
    dependencies=[require(*STOCK)],
    max_body_size=UPLOAD_BODY_LIMIT,
    include_in_schema=False,
)
def preview_rate_cards(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    file: UploadFile | None = File(None),
) -> Response:
    """Check every row; show per courier/service from when the file's tariff applies and what it replaces."""
    try:
        name, data = read_upload(file)
        rows = ratecards.validate(session, ratecards.read_rows(data, name))
    except ratecards.RateCardRejected as exc:
        return _rate_page(
            request,
            session,
            problems=exc.errors,
            filename=getattr(file, "filename", ""),
            status_code=422,
        )
    except SyncHubError as exc:
        return _rate_page(request, session, error=exc, status_code=status_of(exc))
    plan = ratecards.plan(session, rows)
    upload = Staging(settings.home, "rate-cards").put(name, data)
    session.rollback()
    return _rate_page(request, session, plan=plan, upload=upload, filename=name)


@router.post(
    "/rate-cards/upload/{upload}/apply", dependencies=[require(*STOCK)], include_in_schema=False
)
def apply_rate_cards(
    upload: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> Response:
    """Apply a previewed file: the new tariff from its dates on, older lines closed; audited."""
    staging = Staging(settings.home, "rate-cards")
    name, data = staging.get(upload)
    try:
        starts, lines = ratecards.import_audited(session, principal, data, name)
        session.flush()
    except ratecards.RateCardRejected as exc:  # the regions changed since the preview
        session.rollback()
        return _rate_page(request, session, problems=exc.errors, filename=name, status_code=409)
    staging.drop(upload)
    return _rate_page(
        request,
        session,
        message=("{n} tariff lines imported from {file}.", {"n": lines, "file": name}),
    )
