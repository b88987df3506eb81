"""JSON API of the catalog under ``/api/v1/catalog``: products, import/export, prices, matching review."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from hub.catalog import matching
from hub.catalog.models import Product
from hub.catalog.pricing import price_for
from hub.catalog.schemas import (
    ImportReportPublic,
    PriceQuotePublic,
    ProductPublic,
    ProductsPublic,
    SkuLinkPublic,
    SuggestionPublic,
    SuggestionsPublic,
)
from hub.catalog.search import search_products
from hub.catalog.transfer import (
    FORM_OVERHEAD,
    MAX_UPLOAD,
    export_catalog,
    import_catalog,
)
from hub.core.db import utcnow
from hub.core.deps import RowId, SessionDep, require
from hub.core.roles import Principal, Role
from shared.errors import NotFound

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
Staff = Annotated[Principal, require(Role.OPERATIONS, Role.OWNER)]
Anyone = Annotated[Principal, require()]


@router.get("/products", response_model=ProductsPublic)
def products(
    session: SessionDep,
    principal: Anyone,
    q: str = "",
    category: str | None = None,
    brand: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ProductsPublic:
    active = None if principal.is_staff else True  # resellers see what they can buy
    rows, count = search_products(
        session, q, category=category, brand=brand, active=active, limit=limit, offset=offset
    )
    return ProductsPublic(data=[ProductPublic.model_validate(p) for p in rows], count=count)


@router.get("/products/{product_id}", response_model=ProductPublic)
def product(product_id: RowId, session: SessionDep, principal: Anyone) -> ProductPublic:
    p = session.get(Product, product_id)
    if p is None or (not p.active and not principal.is_staff):
        raise NotFound("no product #{product_id}", product_id=product_id)
    return ProductPublic.model_validate(p)


@router.post("/import", response_model=ImportReportPublic, max_body_size=MAX_UPLOAD + FORM_OVERHEAD)
async def import_file(
    session: SessionDep, principal: Staff, file: UploadFile = File(...), preview: bool = True
) -> ImportReportPublic:
    """Preview (default) or apply a CSV/XLSX catalog; apply refuses a file with any row error (422)."""
    data = await file.read()
    name = file.filename or "upload.csv"
    report = import_catalog(session, name, data, preview=preview, principal=principal)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return ImportReportPublic(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=[str(x) for x in report.errors],
        applied=report.applied,
    )


@router.get("/export")
def export(session: SessionDep, principal: Staff, format: str = "csv") -> Response:
    body = export_catalog(session, format)
    media = (
        "text/csv"
        if format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="catalog.{format}"'},
    )


@router.get("/prices/{reseller_id}/{product_id}", response_model=PriceQuotePublic)
def why_this_price(
    reseller_id: str,
    product_id: RowId,
    session: SessionDep,
    principal: Anyone,
    quantity: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    at: dt.datetime | None = None,
) -> PriceQuotePublic:
    """The price and the rule that produced it ("why this price")."""
    return PriceQuotePublic.model_validate(
        price_for(session, reseller_id, product_id, quantity, at or utcnow())
    )


@router.get("/matching/queue", response_model=SuggestionsPublic)
def queue(
    session: SessionDep, principal: Staff, reseller_id: str | None = None
) -> SuggestionsPublic:
    items = [
        SuggestionPublic(
            id=s.id,
            reseller_id=s.reseller_id,
            reseller_sku=s.reseller_sku,
            reseller_name=lk.name,
            product=ProductPublic.model_validate(p),
            score=s.score,
            reason=s.reason,
        )
        for s, p, lk in matching.review_queue(session, reseller_id)
    ]
    return SuggestionsPublic(data=items, count=len(items))


@router.post("/matching/{suggestion_id}/{decision}", response_model=SkuLinkPublic | None)
def decide(
    suggestion_id: RowId, decision: str, session: SessionDep, principal: Staff
) -> SkuLinkPublic | None:
    if decision == "accept":
        link = matching.accept(session, suggestion_id, principal)
        session.flush()  # the request's unit of work commits (docs/transactions.md)
        return SkuLinkPublic.model_validate(link)
    if decision == "reject":
        matching.reject(session, suggestion_id, principal)
        session.flush()  # the request's unit of work commits (docs/transactions.md)
        return None
    raise NotFound("unknown decision {decision}: use accept or reject", decision=repr(decision))


@router.get("/matching/unmatched", response_model=list[SkuLinkPublic])
def unmatched(
    session: SessionDep, principal: Staff, reseller_id: str | None = None
) -> list[SkuLinkPublic]:
    return [SkuLinkPublic.model_validate(x) for x in matching.unmatched(session, reseller_id)]
