"""Warranty API: resellers file and follow their claims (their own only); the repair desk
moves them; supplier claims and the serial history are for staff. Errors are raised by
meaning and answered by the hub's one error handler."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import FileResponse

from hub.core.deps import RowId, SessionDep, SettingsDep, require
from hub.core.roles import RESELLER_ROLES, STAFF, Principal, Role
from hub.warranty import files, service, supplier_claims, traceability
from hub.warranty.models import ClaimPhoto, SupplierClaimDocument
from hub.warranty.schemas import (
    ClaimCreate,
    ClaimPublic,
    ClaimsPublic,
    ClaimStepIn,
    SupplierClaimCreate,
    SupplierClaimPublic,
    SupplierClaimsPublic,
    SupplierStepIn,
    TraceEventPublic,
    TracePublic,
    TracesPublic,
    UnrepairableIn,
)
from shared.errors import DataError, NotFound

router = APIRouter(prefix="/api/v1/warranty", tags=["warranty"])
DESK = (Role.OWNER, Role.REPAIR)
SUPPLIER_DESK = (*DESK, Role.PURCHASING)
TRACERS = (*SUPPLIER_DESK, Role.OPERATIONS, Role.INVENTORY)
Anyone = Annotated[Principal, require(*STAFF, *RESELLER_ROLES)]
Reseller = Annotated[Principal, require(*RESELLER_ROLES)]
Claimant = Annotated[Principal, require(*RESELLER_ROLES, *DESK)]
Desk = Annotated[Principal, require(*DESK)]
SupplierDesk = Annotated[Principal, require(*SUPPLIER_DESK)]
Tracer = Annotated[Principal, require(*TRACERS)]
Event = Annotated[str, Path(max_length=20)]


@router.get("/claims", response_model=ClaimsPublic)
def list_claims(
    session: SessionDep,
    principal: Anyone,
    state: Annotated[Optional[str], Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ClaimsPublic:
    """Warranty claims, newest first (a reseller sees its own only)."""
    rows, count = service.list_claims(session, principal, state=state, limit=limit, offset=offset)
    return ClaimsPublic(data=[ClaimPublic.model_validate(c) for c in rows], count=count)


@router.post("/claims", status_code=201, response_model=ClaimPublic)
def file_claim(body: ClaimCreate, session: SessionDep, principal: Reseller) -> ClaimPublic:
    """File a claim on a unit shipped to you, by its serial, within its warranty."""
    return ClaimPublic.model_validate(service.file_claim(session, principal, body))


@router.get("/claims/{claim_id}", response_model=ClaimPublic)
def get_claim(claim_id: RowId, session: SessionDep, principal: Anyone) -> ClaimPublic:
    """One claim with its photos and every step so far."""
    return ClaimPublic.model_validate(service.get_claim(session, principal, claim_id))


@router.post("/claims/{claim_id}/photos", status_code=201, response_model=ClaimPublic)
def add_photos(
    claim_id: RowId,
    session: SessionDep,
    settings: SettingsDep,
    principal: Claimant,
    photos: Annotated[list[UploadFile], File(description="PNG, JPEG or PDF, 8 MB each")],
) -> ClaimPublic:
    """Photos of the fault (or the invoice), checked by their content."""
    claim = service.get_claim(session, principal, claim_id)
    directory = files.photos_dir(settings.home)
    stored = files.store_all(photos[: service.MAX_PHOTOS], directory)
    try:
        for s in stored:
            service.add_photo(session, principal, claim, s)
    except Exception:
        files.remove(stored, directory)
        raise
    return ClaimPublic.model_validate(claim)


@router.get("/claims/{claim_id}/photos/{photo_id}", response_class=FileResponse)
def photo(
    claim_id: RowId, photo_id: RowId, session: SessionDep, settings: SettingsDep, principal: Anyone
) -> FileResponse:
    """A photo of the claim, to its reseller and to staff."""
    claim = service.get_claim(session, principal, claim_id)
    p = session.get(ClaimPhoto, photo_id)
    if p is None or p.claim_id != claim.id:
        raise NotFound("no photo #{photo_id} on {number}", photo_id=photo_id, number=claim.number)
    return files.serve(files.photos_dir(settings.home), p.name, p.mime)


@router.post("/claims/{claim_id}/events/{event}", response_model=ClaimPublic)
def fire(
    claim_id: RowId,
    event: Event,
    session: SessionDep,
    principal: Claimant,
    body: Optional[ClaimStepIn] = None,
) -> ClaimPublic:
    """receive, inspect (findings), repair / replace (courier, waybill, replacement serial),
    refuse (reason), close; a reseller may cancel a claim still submitted."""
    return ClaimPublic.model_validate(
        service.fire(session, principal, claim_id, event, body or ClaimStepIn())
    )


@router.post("/claims/{claim_id}/unrepairable", status_code=201, response_model=ClaimPublic)
def unrepairable(
    claim_id: RowId, body: UnrepairableIn, session: SessionDep, principal: Desk
) -> ClaimPublic:
    """Log the returned unit as beyond repair: scrapped, or kept for the supplier."""
    service.log_unrepairable(session, principal, claim_id, body.reason, body.disposition)
    return ClaimPublic.model_validate(service.get_claim(session, principal, claim_id))


@router.post(
    "/claims/{claim_id}/supplier-claims", status_code=201, response_model=SupplierClaimPublic
)
def open_supplier_claim(
    claim_id: RowId, body: SupplierClaimCreate, session: SessionDep, principal: SupplierDesk
) -> SupplierClaimPublic:
    """Claim the defective unit back from its supplier (default: the one it was received from)."""
    sc = supplier_claims.open_claim(session, principal, claim_id, body.supplier_id, body.note)
    return SupplierClaimPublic.model_validate(sc)


@router.get("/supplier-claims", response_model=SupplierClaimsPublic)
def list_supplier_claims(
    session: SessionDep,
    principal: SupplierDesk,
    state: Annotated[Optional[str], Query(max_length=12)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> SupplierClaimsPublic:
    """Supplier claims, newest first."""
    rows, count = supplier_claims.list_all(session, state=state, limit=limit, offset=offset)
    return SupplierClaimsPublic(
        data=[SupplierClaimPublic.model_validate(s) for s in rows], count=count
    )


@router.get("/supplier-claims/{sc_id}", response_model=SupplierClaimPublic)
def get_supplier_claim(
    sc_id: RowId, session: SessionDep, principal: SupplierDesk
) -> SupplierClaimPublic:
    """One supplier claim with its documents and the supplier's answer."""
    return SupplierClaimPublic.model_validate(supplier_claims.get(session, sc_id))


@router.post("/supplier-claims/{sc_id}/events/{event}", response_model=SupplierClaimPublic)
def fire_supplier_claim(
    sc_id: RowId,
    event: Event,
    session: SessionDep,
    principal: SupplierDesk,
    body: Optional[SupplierStepIn] = None,
) -> SupplierClaimPublic:
    """send, answer (credit_note with number and amount / replacement with its serial /
    refusal with the reason), close (closes the resolved reseller claim), cancel a draft."""
    return SupplierClaimPublic.model_validate(
        supplier_claims.fire(session, principal, sc_id, event, body or SupplierStepIn())
    )


@router.post(
    "/supplier-claims/{sc_id}/documents", status_code=201, response_model=SupplierClaimPublic
)
def add_document(
    sc_id: RowId,
    session: SessionDep,
    settings: SettingsDep,
    principal: SupplierDesk,
    document: Annotated[UploadFile, File(description="PNG, JPEG or PDF")],
    label: Annotated[str, Form(max_length=120)] = "",
) -> SupplierClaimPublic:
    """A document of the supplier claim (return form, the supplier's letter or credit note)."""
    directory = files.documents_dir(settings.home)
    found = files.store_all([document], directory)
    if not found:
        raise DataError("choose a file to upload")
    stored = found[0]
    try:
        supplier_claims.add_document(session, principal, sc_id, stored, label)
    except Exception:
        files.remove([stored], directory)
        raise
    return SupplierClaimPublic.model_validate(supplier_claims.get(session, sc_id))


@router.get("/supplier-claims/{sc_id}/documents/{doc_id}", response_class=FileResponse)
def document(
    sc_id: RowId, doc_id: RowId, session: SessionDep, settings: SettingsDep, principal: SupplierDesk
) -> FileResponse:
    """A document of the supplier claim."""
    d = session.get(SupplierClaimDocument, doc_id)
    if d is None or d.supplier_claim_id != sc_id:
        raise NotFound(
            "no document #{doc_id} on supplier claim #{sc_id}", doc_id=doc_id, sc_id=sc_id
        )
    return files.serve(files.documents_dir(settings.home), d.name, d.mime)


@router.get("/serials/{serial}", response_model=TracesPublic)
def trace(
    serial: Annotated[str, Path(max_length=80)], session: SessionDep, principal: Tracer
) -> TracesPublic:
    """A unit's history: supplier receipt, reseller shipment, claims, every event."""
    rows = [
        TracePublic(
            serial=t.unit.serial,
            product_id=t.unit.product_id,
            sku=t.sku,
            state=t.unit.state,
            supplier=t.supplier,
            receipt=t.receipt,
            purchase_order=t.purchase_order,
            order_id=t.unit.order_id,
            reseller_id=t.unit.reseller_id,
            shipped_at=t.unit.shipped_at,
            claims=[c.number for c in t.claims],
            supplier_claims=[s.number for s in t.supplier_claims],
            events=[
                TraceEventPublic(
                    at=e.at,
                    event=e.event,
                    reference=e.reference,
                    reseller_id=e.reseller_id,
                    actor=e.actor,
                    note=e.note,
                )
                for e in t.events
            ],
        )
        for t in traceability.trace(session, serial)
    ]
    if not rows:  # the path names one unit: none is a 404, like any other missing id
        raise NotFound(
            "no unit with serial number {serial}",
            hint="check the number on the unit's label (letters and digits, as printed)",
            serial=repr(serial),
        )
    return TracesPublic(data=rows, count=len(rows))
