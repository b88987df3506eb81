"""HTTP routes: thin — parse, call the service, return a schema. Auth is added by the app."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Query, UploadFile
from sqlalchemy.orm import Session

from hub.core.deps import SessionDep
from hub.shipping import ratecards
from hub.shipping.models import LEVELS
from hub.shipping.regions import ResolvedRegion, search
from hub.shipping.schemas import (
    QuoteCreate,
    QuoteOptionPublic,
    QuotePublic,
    RateCardImportPublic,
    RegionPublic,
    RegionsPublic,
)
from hub.shipping.service import quote_shipment
from shared.errors import DataError

router = APIRouter(tags=["shipping"])


def _region(r: ResolvedRegion) -> RegionPublic:
    return RegionPublic(kode=r.kode, name=r.name, level=r.level)


@router.post("/api/v1/shipping/quote", response_model=QuotePublic)
def create_quote(body: QuoteCreate, session: SessionDep) -> QuotePublic:
    """Every courier service for this shipment, with fee, weight breakdown and ETD."""
    try:
        result = quote_shipment(session, origin=body.origin, destination=body.destination,
                                scheme=body.scheme, postal_code=body.postal_code,
                                items=[i.to_item() for i in body.items], day=body.date,
                                sort=body.sort, insured=body.insured)
    except DataError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    options = [QuoteOptionPublic.model_construct(**asdict(o)) for o in result.options]
    return QuotePublic(origin=_region(result.origin), destination=_region(result.destination),
                       date=result.day, source=result.source, notices=result.notices,
                       data=options, count=len(options))


@router.get("/api/v1/regions", response_model=RegionsPublic)
def search_regions(session: SessionDep, q: str = "", postal_code: str = "",
                   level: int | None = Query(default=None, ge=1, le=4),
                   limit: int = Query(default=20, ge=1, le=200)) -> RegionsPublic:
    """Regions by (part of) a name and/or a postal code."""
    if not q and not postal_code:
        raise HTTPException(422, detail="give q (a name) or postal_code")
    hits = search(session, q, postal_code, level=level, limit=limit)
    data = [RegionPublic(kode=r.kode, name=r.name, level=LEVELS[r.level], path=path)
            for r, path in hits]
    return RegionsPublic(data=data, count=len(data))


@router.post("/api/v1/shipping/ratecards", response_model=RateCardImportPublic)
async def import_ratecards(file: UploadFile, session: SessionDep) -> RateCardImportPublic:
    """Import a CSV/XLSX rate card; a bad file is refused whole with every row's reason."""
    data = await file.read()
    return _import(session, data, file.filename or "upload.csv")


def _import(session: Session, data: bytes, filename: str) -> RateCardImportPublic:
    try:
        with session.begin():
            rows = ratecards.validate(session, ratecards.read_rows(data, filename))
            starts = ratecards.apply(session, rows)
    except ratecards.RateCardRejected as exc:
        raise HTTPException(422, detail={"message": exc.message,
                                         "errors": [str(e) for e in exc.errors]}) from None
    ratecards.forget_cached_books()
    return RateCardImportPublic(replaced_from={f"{c} {s}": d for (c, s), d in starts.items()},
                                rows=len(rows))
