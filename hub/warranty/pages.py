"""Warranty pages: the reseller's claims in the portal (file with photos, follow each step)
and the repair desk (queue, claim with its actions, supplier claims, unrepairable log,
serial history). A refused action re-renders the page with the message and what was typed."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require
from hub.core.forms import posted_with_files
from hub.core.i18n import parse_date, parse_decimal, parse_int
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.core.templating import language, render
from hub.inventory.models import Serial
from hub.purchasing.models import Supplier
from hub.purchasing.web import attempt
from hub.shipping.models import Warehouse
from hub.warranty import files, service, supplier_claims, traceability
from hub.warranty.lifecycle import (
    ANSWER_WORDS,
    BUTTONS,
    CLAIM,
    SERIAL_EVENTS,
    SERIAL_STATES,
    STATE_WORDS,
    STEP_WORDS,
    SUPPLIER_CLAIM,
)
from hub.warranty.schemas import ClaimCreate, ClaimStepIn, SupplierStepIn
from shared.errors import DataError

router = APIRouter(include_in_schema=False)
DESK = (Role.OWNER, Role.REPAIR)
SUPPLIER_DESK = (*DESK, Role.PURCHASING)
READERS = (*SUPPLIER_DESK, Role.OPERATIONS)
TRACERS = (*READERS, Role.INVENTORY)
DONE = {
    "filed": "Claim filed. We will tell you at every step.",
    "cancel": "Claim cancelled.",
    "receive": "Goods received.",
    "inspect": "Inspection saved.",
    "repair": "Repaired: the reseller is told.",
    "replace": "Replacement sent: the reseller is told.",
    "refuse": "Claim refused: the reseller is told.",
    "close": "Claim closed.",
    "unrepairable": "Logged as unrepairable.",
    "supplier": "Supplier claim opened.",
    "send": "Sent to the supplier.",
    "answer": "Supplier's answer saved.",
    "document": "Document added.",
}
WORDS = {
    "states": STATE_WORDS,
    "steps": STEP_WORDS,
    "answers": ANSWER_WORDS,
    "buttons": BUTTONS,
    "serial_states": SERIAL_STATES,
    "serial_events": SERIAL_EVENTS,
}

nav.register(nav.NavItem("Warranty", "/portal/warranty", frozenset(RESELLER_ROLES), order=45))
nav.register(nav.NavItem("Warranty", "/warranty", frozenset(READERS), order=57))


# --- the reseller's portal ---------------------------------------------------------------


def _portal(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    form: Optional[dict[str, str]] = None,
    error: Any = None,
    done: str = "",
) -> Response:
    claims, _ = service.list_claims(session, principal, limit=200)
    names = dict(session.execute(select(Product.id, Product.name)).all()) if claims else {}
    return render(
        request,
        "warranty_portal.html",
        {
            "claims": claims,
            "names": names,
            "form": form or {},
            "error": error,
            "message": DONE.get(done),
            **WORDS,
        },
        status_code=422 if error else 200,
    )


@router.get("/portal/warranty", dependencies=[require(*RESELLER_ROLES)])
def portal(
    request: Request, session: SessionDep, principal: CurrentPrincipal, done: str = ""
) -> Response:
    """My warranty claims and the form to file one."""
    return _portal(request, session, principal, done=done[:20])


@router.post("/portal/warranty", dependencies=[require(*RESELLER_ROLES)])
async def portal_file(
    request: Request, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> Response:
    """File a claim: serial, product (optional), invoice (optional), the problem, photos."""
    form, uploads = await posted_with_files(request)
    directory = files.photos_dir(settings.home)
    stored: list[Any] = []

    def work() -> Any:
        nonlocal stored
        if not any(getattr(u, "filename", "") for u in uploads):
            raise DataError(
                "add at least one photo of the fault",
                hint="a photo of the unit and its label helps",
            )
        claim = service.file_claim(
            session,
            principal,
            ClaimCreate(
                serial=form.get("serial", ""),
                sku=form.get("sku", ""),
                invoice_number=form.get("invoice_number", ""),
                problem=form.get("problem", ""),
            ),
        )
        stored = files.store_all(uploads[: service.MAX_PHOTOS], directory)
        for s in stored:
            service.add_photo(session, principal, claim, s)
        return claim

    claim, error = attempt(session, work)
    if error is not None or claim is None:
        files.remove(stored, directory)
        return _portal(request, session, principal, form=form, error=error)
    return RedirectResponse(f"/portal/warranty/{claim.id}?done=filed", 303)


@router.get("/portal/warranty/{claim_id}", dependencies=[require(*RESELLER_ROLES)])
def portal_claim(
    claim_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str = "",
) -> Response:
    """One of my claims: every step so far, photos, and what comes back to me."""
    claim = service.get_claim(session, principal, claim_id)
    replacement = (
        session.get(Serial, claim.replacement_serial_id) if claim.replacement_serial_id else None
    )
    return render(
        request,
        "warranty_portal_claim.html",
        {
            "c": claim,
            "product": session.get(Product, claim.product_id),
            "replacement": replacement,
            "message": DONE.get(done[:20]),
            **WORDS,
        },
    )


@router.post("/portal/warranty/{claim_id}/cancel", dependencies=[require(*RESELLER_ROLES)])
def portal_cancel(
    claim_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Withdraw a claim that the repair team has not received yet."""
    _, error = attempt(
        session, lambda: service.fire(session, principal, claim_id, "cancel", ClaimStepIn())
    )
    if error is not None:
        return _portal(request, session, principal, error=error)
    return RedirectResponse(f"/portal/warranty/{claim_id}?done=cancel", 303)


# --- the repair desk ----------------------------------------------------------------------


@router.get("/warranty", dependencies=[require(*READERS)])
def desk(
    request: Request, session: SessionDep, principal: CurrentPrincipal, state: str = ""
) -> Response:
    """Claims to work on, by state."""
    claims, count = service.list_claims(session, principal, state=state[:16] or None, limit=300)
    names = dict(session.execute(select(Product.id, Product.sku)).all()) if claims else {}
    return render(
        request,
        "warranty_desk.html",
        {
            "claims": claims,
            "count": count,
            "state": state,
            "claim_states": sorted(CLAIM.states),
            "names": names,
            **WORDS,
        },
    )


def _claim_page(
    request: Request,
    session: Session,
    principal: Principal,
    claim_id: int,
    *,
    done: str = "",
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    claim = service.get_claim(session, principal, claim_id)
    unit = session.get(Serial, claim.serial_id)
    replacement = (
        session.get(Serial, claim.replacement_serial_id) if claim.replacement_serial_id else None
    )
    return render(
        request,
        "warranty_claim.html",
        {
            "c": claim,
            "unit": unit,
            "replacement": replacement,
            "product": session.get(Product, claim.product_id),
            "events": CLAIM.events_for(claim.state, principal.role.value),
            "supplier_claims": supplier_claims.of_claim(session, claim.id),
            "suppliers": list(
                session.scalars(
                    select(Supplier).where(Supplier.active.is_(True)).order_by(Supplier.code)
                )
            ),
            "warehouses": list(
                session.scalars(
                    select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.id)
                )
            ),
            "can_desk": principal.role in DESK,
            "can_supplier": principal.role in SUPPLIER_DESK,
            "message": DONE.get(done),
            "error": error,
            "form": form or {},
            **WORDS,
        },
        status_code=409 if error else 200,
    )


@router.get("/warranty/claims/{claim_id}", dependencies=[require(*READERS)])
def claim_page(
    claim_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str = "",
) -> Response:
    """A claim at the desk: the unit, photos, timeline, the next steps, its supplier claims."""
    return _claim_page(request, session, principal, claim_id, done=done[:20])


@router.post("/warranty/claims/{claim_id}/events/{event}", dependencies=[require(*DESK)])
async def claim_event(
    claim_id: RowId, event: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """receive, inspect, repair, replace, refuse, close."""
    form, _ = await posted_with_files(request)

    def work() -> Any:
        wid = form.get("warehouse_id", "").strip()
        data = ClaimStepIn(
            note=form.get("note", ""),
            findings=form.get("findings", ""),
            reason=form.get("reason", ""),
            courier=form.get("courier", ""),
            waybill=form.get("waybill", ""),
            replacement_serial=form.get("replacement_serial", ""),
            warehouse_id=parse_int(wid, language(request)) if wid else None,
        )
        return service.fire(session, principal, claim_id, event[:20], data)

    _, error = attempt(session, work)
    if error is not None:
        return _claim_page(request, session, principal, claim_id, error=error, form=form)
    return RedirectResponse(f"/warranty/claims/{claim_id}?done={event[:20]}", 303)


@router.post("/warranty/claims/{claim_id}/unrepairable", dependencies=[require(*DESK)])
async def claim_unrepairable(
    claim_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Log the unit as beyond repair."""
    form, _ = await posted_with_files(request)
    _, error = attempt(
        session,
        lambda: service.log_unrepairable(
            session,
            principal,
            claim_id,
            form.get("reason", ""),
            form.get("disposition", "scrapped"),
        ),
    )
    if error is not None:
        return _claim_page(request, session, principal, claim_id, error=error, form=form)
    return RedirectResponse(f"/warranty/claims/{claim_id}?done=unrepairable", 303)


@router.post("/warranty/claims/{claim_id}/supplier-claims", dependencies=[require(*SUPPLIER_DESK)])
async def claim_supplier(
    claim_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Open the supplier claim for the defective unit."""
    form, _ = await posted_with_files(request)

    def work() -> Any:
        sid = form.get("supplier_id", "").strip()
        return supplier_claims.open_claim(
            session, principal, claim_id, int(sid) if sid.isdigit() else None, form.get("note", "")
        )

    sc, error = attempt(session, work)
    if error is not None or sc is None:
        return _claim_page(request, session, principal, claim_id, error=error, form=form)
    return RedirectResponse(f"/warranty/supplier-claims/{sc.id}?done=supplier", 303)


def _supplier_page(
    request: Request,
    session: Session,
    principal: Principal,
    sc_id: int,
    *,
    done: str = "",
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    sc = supplier_claims.get(session, sc_id)
    claim = service.get_claim(session, principal, sc.claim_id)
    return render(
        request,
        "warranty_supplier_claim.html",
        {
            "sc": sc,
            "c": claim,
            "supplier": session.get(Supplier, sc.supplier_id),
            "product": session.get(Product, claim.product_id),
            "events": SUPPLIER_CLAIM.events_for(sc.state, principal.role.value),
            "warehouses": list(
                session.scalars(
                    select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.id)
                )
            ),
            "message": DONE.get(done),
            "error": error,
            "form": form or {},
            **WORDS,
        },
        status_code=409 if error else 200,
    )


@router.get("/warranty/supplier-claims/{sc_id}", dependencies=[require(*SUPPLIER_DESK)])
def supplier_page(
    sc_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal, done: str = ""
) -> Response:
    """A supplier claim: the unit, documents, and the supplier's answer."""
    return _supplier_page(request, session, principal, sc_id, done=done[:20])


@router.post(
    "/warranty/supplier-claims/{sc_id}/events/{event}", dependencies=[require(*SUPPLIER_DESK)]
)
async def supplier_event(
    sc_id: RowId, event: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """send, answer (credit note, replacement, refusal), close, cancel."""
    form, _ = await posted_with_files(request)

    def work() -> Any:
        lang = language(request)
        amount, day, wid = (
            form.get("credit_amount", "").strip(),
            form.get("credit_date", "").strip(),
            form.get("warehouse_id", "").strip(),
        )
        data = SupplierStepIn(
            reason=form.get("reason", ""),
            answer=form.get("answer", ""),
            answer_note=form.get("answer_note", ""),
            credit_number=form.get("credit_number", ""),
            credit_amount=parse_decimal(amount, lang) if amount else None,
            credit_date=parse_date(day, lang) if day else None,
            replacement_serial=form.get("replacement_serial", ""),
            warehouse_id=parse_int(wid, lang) if wid else None,
        )
        return supplier_claims.fire(session, principal, sc_id, event[:20], data)

    _, error = attempt(session, work)
    if error is not None:
        return _supplier_page(request, session, principal, sc_id, error=error, form=form)
    return RedirectResponse(f"/warranty/supplier-claims/{sc_id}?done={event[:20]}", 303)


@router.post("/warranty/supplier-claims/{sc_id}/documents", dependencies=[require(*SUPPLIER_DESK)])
async def supplier_document(
    sc_id: RowId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> Response:
    """Attach a document (return form, the supplier's letter, its credit note)."""
    form, uploads = await posted_with_files(request)
    directory = files.documents_dir(settings.home)
    stored: list[Any] = []

    def work() -> Any:
        nonlocal stored
        stored = files.store_all(uploads[:1], directory)
        if not stored:
            raise DataError("choose a file to upload")
        return supplier_claims.add_document(
            session, principal, sc_id, stored[0], form.get("label", "")
        )

    _, error = attempt(session, work)
    if error is not None:
        files.remove(stored, directory)
        return _supplier_page(request, session, principal, sc_id, error=error, form=form)
    return RedirectResponse(f"/warranty/supplier-claims/{sc_id}?done=document", 303)


@router.get("/warranty/unrepairable", dependencies=[require(*READERS)])
def unrepairable(request: Request, session: SessionDep) -> Response:
    """The log of goods that cannot be repaired."""
    rows = service.unrepairable_log(session)
    names = dict(session.execute(select(Product.id, Product.sku)).all()) if rows else {}
    units = (
        dict(
            session.execute(
                select(Serial.id, Serial.serial).where(Serial.id.in_([r.serial_id for r in rows]))
            ).all()
        )
        if rows
        else {}
    )
    return render(
        request, "warranty_unrepairable.html", {"rows": rows, "names": names, "units": units}
    )


@router.get("/warranty/serials", dependencies=[require(*TRACERS)])
def serial_report(request: Request, session: SessionDep, serial: str = "") -> Response:
    """A unit's history by serial: received from the supplier, shipped, claimed, and after."""
    serial = serial.strip()[:80]
    return render(
        request,
        "warranty_serials.html",
        {
            "serial": serial,
            "traces": traceability.trace(session, serial) if serial else [],
            **WORDS,
        },
    )
