"""HTTP routes: thin — parse, call the service, return a schema. Who may call: ``require(...)``.

Origins, delivery addresses and territories live in ``hub.shipping.places``
(included below), so the app wires one router for the whole capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.roles import Role
from hub.core.state import hub_state
from hub.shipping import places, ratecards
from hub.shipping.live import LiveRateProvider, provider_from_settings
from hub.shipping.models import LEVELS
from hub.shipping.regions import search
from hub.shipping.schemas import (
    QuoteCreate,
    QuotePublic,
    RateCardImportPublic,
    RegionPublic,
    RegionsPublic,
)
from hub.shipping.service import QuoteResult, quote_shipment
from shared.errors import DataError

router = APIRouter(tags=["shipping"])
router.include_router(places.router)
STAFF_SHIPPING = (Role.OWNER, Role.OPERATIONS, Role.INVENTORY)


@dataclass(frozen=True)
class LiveRates:
    """The live rate provider named by settings (None: rate cards only), built once per app."""

    provider: LiveRateProvider | None


def _live(request: Request) -> LiveRateProvider | None:
    state = hub_state(request)

    def build() -> LiveRates:
        s = state.settings
        url, token = s.shipping_live_url, s.shipping_live_token.get_secret_value()
        return LiveRates(provider_from_settings(url, token))

    return state.part(LiveRates, build).provider


def quote_public(result: QuoteResult) -> QuotePublic:
    """The API shape, read from the service's dataclasses by pydantic-core (about twice as fast
    as building each option in Python with ``model_construct``)."""
    return QuotePublic.model_validate(
        {
            "origin": result.origin,
            "destination": result.destination,
            "date": result.day,
            "source": result.source,
            "notices": result.notices,
            "data": result.options,
            "count": len(result.options),
        },
        from_attributes=True,
    )


@router.post("/api/v1/shipping/quote", response_model=QuotePublic, dependencies=[require()])
async def create_quote(body: QuoteCreate, request: Request) -> Response:
    """Every courier service for this shipment, with fee, weight breakdown and ETD.

    Falls back to the rate cards (and says so in ``notices``) when the live provider fails.
    Runs on the event loop: from cached inputs a quote is ~0.1 ms of CPU and at most one
    short read per second, cheaper than a thread hand-off; a live provider (network) is
    called from the thread pool.
    """
    live = _live(request)
    args = dict(
        origin=body.origin,
        destination=body.destination,
        scheme=body.scheme,
        postal_code=body.postal_code,
        items=[i.to_item() for i in body.items],
        day=body.date,
        sort=body.sort,
        insured=body.insured,
        live=live,
    )
    if live is None:
        result = _quote(request, args)
    else:
        result = await run_in_threadpool(_quote, request, args)
    # Serialized once by pydantic-core; response_model above still documents the shape.
    return Response(quote_public(result).model_dump_json(), media_type="application/json")


def _quote(request: Request, args: dict[str, Any]) -> QuoteResult:
    """On a read-only session: a quote takes no write lock on SQLite."""
    with hub_state(request).read_factory() as reader:
        return quote_shipment(reader, **args)


@router.get("/api/v1/regions", response_model=RegionsPublic, dependencies=[require()])
def search_regions(
    session: SessionDep,
    q: str = "",
    postal_code: str = "",
    level: int | None = Query(default=None, ge=1, le=4),
    limit: int = Query(default=20, ge=1, le=200),
) -> RegionsPublic:
    """Regions by (part of) a name and/or a postal code."""
    if not q and not postal_code:
        raise DataError(
            "give q (a name) or postal_code", problems=[("q", "empty"), ("postal_code", "empty")]
        )
    hits = search(session, q, postal_code, level=level, limit=limit)
    data = [
        RegionPublic(kode=r.kode, name=r.name, level=LEVELS[r.level], path=path) for r, path in hits
    ]
    return RegionsPublic(data=data, count=len(data))


@router.post(
    "/api/v1/shipping/ratecards",
    response_model=RateCardImportPublic,
    dependencies=[require(*STAFF_SHIPPING)],
    max_body_size=10 * 1024 * 1024,
)
def import_ratecards(
    file: UploadFile, session: SessionDep, principal: CurrentPrincipal
) -> RateCardImportPublic:
    """Import a CSV/XLSX rate card; a bad file is refused whole with every row's reason."""
    data = file.file.read()
    filename = file.filename or "upload.csv"
    starts, lines = ratecards.import_audited(session, principal, data, filename)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return RateCardImportPublic(
        replaced_from={f"{c} {s}": d for (c, s), d in starts.items()},
        rows=lines,
    )
