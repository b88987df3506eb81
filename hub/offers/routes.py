"""JSON API of offers under ``/api/v1/offers``: resellers see their published offers, staff review them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from hub.core.deps import RowId, SessionDep, require
from hub.core.roles import Principal, Role
from hub.core.state import hub_state
from hub.offers import service, workflow
from hub.offers.schemas import ConversionPublic, OfferDecision, OfferEdit, OfferPublic, OffersPublic

router = APIRouter(prefix="/api/v1/offers", tags=["offers"])
Staff = Annotated[Principal, require(Role.OPERATIONS, Role.OWNER)]
Viewer = Annotated[
    Principal,
    require(Role.OPERATIONS, Role.OWNER, Role.MARKETING, Role.RESELLER, Role.RESELLER_ADMIN),
]


@router.get("", response_model=OffersPublic)
def offers(
    session: SessionDep,
    principal: Viewer,
    reseller_id: str | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> OffersPublic:
    rows = workflow.list_offers(
        session, principal, reseller_id=reseller_id, status=status, kind=kind
    )
    return OffersPublic(data=[OfferPublic.model_validate(o) for o in rows], count=len(rows))


@router.get("/conversion", response_model=list[ConversionPublic])
def conversion(session: SessionDep, principal: Staff) -> list[ConversionPublic]:
    return [ConversionPublic(**c) for c in workflow.conversion(session)]


@router.get("/{offer_id}", response_model=OfferPublic)
def offer(offer_id: RowId, session: SessionDep, principal: Viewer) -> OfferPublic:
    return OfferPublic.model_validate(workflow.get_offer(session, offer_id, principal))


@router.post("/decide", response_model=OffersPublic)
def decide(body: OfferDecision, session: SessionDep, principal: Staff) -> OffersPublic:
    """Approve or drop draft offers in bulk (all or nothing)."""
    rows = workflow.decide(session, body.ids, body.action, principal)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return OffersPublic(data=[OfferPublic.model_validate(o) for o in rows], count=len(rows))


@router.patch("/{offer_id}", response_model=OfferPublic)
def edit(offer_id: RowId, body: OfferEdit, session: SessionDep, principal: Staff) -> OfferPublic:
    o = workflow.edit(session, offer_id, body.quantity, principal)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return OfferPublic.model_validate(o)


@router.post("/compute")
def compute(
    session: SessionDep, principal: Staff, reseller_id: str | None = None
) -> dict[str, object]:
    summary = service.compute(session, reseller_ids=[reseller_id] if reseller_id else None)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return {
        "run_id": summary.run_id,
        "resellers": summary.resellers,
        "offers": summary.offers,
        "unpriced": summary.unpriced,
    }


@router.post("/publish")
def publish(request: Request, session: SessionDep, principal: Staff) -> dict[str, list[str]]:
    from hub.core.keys import HubKeys

    settings = hub_state(request).settings
    keys = HubKeys.load(settings.keys_dir)
    paths = workflow.publish(session, settings.sftp_root, keys.signing_key, principal)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return {"resellers": sorted(paths)}
