"""Catalog pages for staff: product list and detail, CSV/XLSX import (preview, then apply), SKU matching.

Thin: every decision is made by the catalog services (search, transfer, matching,
pricing); these handlers parse the form, call them, commit, and render.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog import matching
from hub.catalog.models import PriceList, PriceListItem, Product, Promotion, ResellerGroup, SkuLink
from hub.catalog.pricing import price_for
from hub.catalog.search import search_products
from hub.catalog.transfer import FORM_OVERHEAD, MAX_UPLOAD, import_catalog
from hub.core import nav
from hub.core.db import utcnow
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require
from hub.core.errors import describe, status_of
from hub.core.roles import Role
from hub.core.staging import Staging, read_upload
from hub.core.templating import render
from shared.errors import DataError, NotFound, SyncHubError

router = APIRouter(include_in_schema=False)
VIEW = (Role.OWNER, Role.OPERATIONS, Role.MARKETING)  # marketing reads the catalog
EDIT = (Role.OWNER, Role.OPERATIONS)
PAGE = 50

nav.register(nav.NavItem("Catalog", "/catalog", frozenset(VIEW), order=40))
nav.register(nav.NavItem("Matching", "/catalog/matching", frozenset(EDIT), order=42))


@router.get("/catalog", dependencies=[require(*VIEW)])
def products(
    request: Request,
    session: SessionDep,
    q: str = Query("", max_length=200),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """Search the master catalog (every word must match SKU, EAN, name, brand or category)."""
    rows, total = search_products(session, q, limit=PAGE, offset=(page - 1) * PAGE)
    return render(
        request,
        "catalog_products.html",
        {
            "products": rows,
            "total": total,
            "q": q,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
        },
    )


def _price_lists(session: Session, product_id: int) -> list[dict[str, Any]]:
    groups = dict(session.execute(select(ResellerGroup.id, ResellerGroup.name)).all())
    out = []
    for item, plist in session.execute(
        select(PriceListItem, PriceList)
        .join(PriceList, PriceList.id == PriceListItem.price_list_id)
        .where(PriceListItem.product_id == product_id)
        .order_by(PriceList.name, PriceList.id, PriceListItem.min_quantity)
    ):
        scope = (
            ("reseller", plist.reseller_id)
            if plist.reseller_id
            else ("group", groups.get(plist.group_id, f"#{plist.group_id}"))
            if plist.group_id
            else ("everyone", "")
        )
        out.append({"list": plist, "item": item, "scope": scope})
    return out


@router.get("/catalog/products/{product_id}", dependencies=[require(*VIEW)])
def product(
    product_id: RowId,
    request: Request,
    session: SessionDep,
    reseller_id: str = Query("", max_length=63),
    quantity: int = Query(1, ge=1, le=1_000_000),
) -> Response:
    """One product: specs, variants, price lists, promotions, and "why this price" for a reseller."""
    p = session.get(Product, product_id)
    if p is None:
        raise NotFound("no product #{product_id}", product_id=product_id)
    quote, quote_error = None, ""
    if reseller_id:
        try:
            quote = price_for(session, reseller_id, p.id, quantity, utcnow())
        except SyncHubError as exc:
            quote_error = describe(request, exc)
    promotions = list(
        session.scalars(
            select(Promotion).where(Promotion.product_id == p.id).order_by(Promotion.valid_from)
        )
    )
    return render(
        request,
        "catalog_product.html",
        {
            "p": p,
            "price_lists": _price_lists(session, p.id),
            "promotions": promotions,
            "reseller_id": reseller_id,
            "quantity": quantity,
            "quote": quote,
            "quote_error": quote_error,
        },
    )


# --- import: upload → preview (nothing written) → apply ---------------------------------


@router.get("/catalog/import", dependencies=[require(*EDIT)])
def import_form(request: Request) -> Response:
    return render(
        request, "catalog_import.html", {"report": None, "error": "", "upload": "", "name": ""}
    )


@router.post(
    "/catalog/import", dependencies=[require(*EDIT)], max_body_size=MAX_UPLOAD + FORM_OVERHEAD
)
def import_preview(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    file: UploadFile | None = File(None),
) -> Response:
    """Read the file and show what would change and every row problem; the file is kept for the confirm step."""
    name = (file.filename or "") if file is not None else ""
    ctx: dict[str, Any] = {"report": None, "error": "", "upload": "", "name": name}
    try:
        name, data = read_upload(file)
        ctx["report"] = import_catalog(session, name, data, preview=True)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        ctx["error"] = exc
    if ctx["error"]:
        return render(request, "catalog_import.html", ctx, status_code=422)
    ctx["upload"] = Staging(settings.home, "catalog-import").put(name, data)
    return render(request, "catalog_import.html", ctx)


@router.post("/catalog/import/{upload}/apply", dependencies=[require(*EDIT)])
def import_apply(
    upload: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> Response:
    """Apply a previewed file, all or nothing; audited."""
    staging = Staging(settings.home, "catalog-import")
    shown, data = staging.get(upload)
    try:
        report = import_catalog(session, shown, data, principal=principal)
        session.flush()  # the request's unit of work commits (docs/transactions.md)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return render(
            request,
            "catalog_import.html",
            {"report": None, "error": exc, "upload": "", "name": shown},
            status_code=status_of(exc),
        )
    staging.drop(upload)
    return render(
        request, "catalog_import.html", {"report": report, "error": "", "upload": "", "name": shown}
    )


# --- matching review ---------------------------------------------------------------------


Message = tuple[
    str, dict[str, Any]
]  # an English message id and its values, translated by the template


QUEUE_PAGE = 50
THRESHOLDS = (70, 75, 80, 90)


def _matching(
    request: Request,
    session: Session,
    reseller_id: str,
    message: Message | None = None,
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    params = {**request.query_params, **getattr(request.state, "matching_filter", {})}
    raw_score, raw_page = str(params.get("min_score", "")), str(params.get("page", "1"))
    min_score = int(raw_score) if raw_score.isdigit() else int(matching.SHOWN_SCORE)
    page = max(1, min(int(raw_page) if raw_page.isdigit() else 1, 100_000))
    total = matching.queue_size(session, reseller_id or None, min_score)
    ctx = {
        "reseller_id": reseller_id,
        "message": message,
        "error": error,
        "queue": matching.review_queue(
            session,
            reseller_id or None,
            QUEUE_PAGE,
            min_score=min_score,
            offset=(page - 1) * QUEUE_PAGE,
        ),
        "queue_total": total,
        "min_score": min_score,
        "thresholds": sorted({*THRESHOLDS, min_score}),
        "page": page,
        "pages": max(1, -(-total // QUEUE_PAGE)),
        "unmatched": matching.unmatched(session, reseller_id or None),
        "resellers": list(
            session.scalars(select(SkuLink.reseller_id).distinct().order_by(SkuLink.reseller_id))
        ),
    }
    htmx = bool(request.headers.get("HX-Request"))
    # htmx swaps only 2xx answers: the error is shown inside the swapped section instead.
    return render(
        request,
        "_catalog_matching.html" if htmx else "catalog_matching.html",
        ctx,
        status_code=200 if htmx else status,
    )


@router.get("/catalog/matching", dependencies=[require(*EDIT)])
def matching_page(
    request: Request, session: SessionDep, reseller_id: str = Query("", max_length=63)
) -> Response:
    """Suggestions awaiting review, best first, from a score threshold (``min_score``, 50 a
    page), and reseller products without a master product."""
    return _matching(request, session, reseller_id)


@router.post("/catalog/matching/link", dependencies=[require(*EDIT)])
def link(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    reseller_id: str = Form(""),
    reseller_sku: str = Form(""),
    product: str = Form(""),
    filter_reseller: str = Form(""),
    min_score: str = Form(""),
    page: str = Form(""),
) -> Response:
    """Link a reseller product to a master product named by SKU (or #id) by hand."""
    request.state.matching_filter = {"min_score": min_score, "page": page}
    wanted = product.strip()
    found = session.scalar(select(Product.id).where(Product.sku == wanted)) if wanted else None
    if found is None and wanted.lstrip("#").isdigit() and int(wanted.lstrip("#")) < 2**31:
        found = int(wanted.lstrip("#"))
    try:
        if found is None:
            raise DataError(
                "no product with SKU {sku}",
                sku=repr(wanted),
                hint="search the catalog for the right SKU",
            )
        matching.link_manually(session, reseller_id, reseller_sku, found, principal)
        session.flush()  # the request's unit of work commits (docs/transactions.md)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return _matching(request, session, filter_reseller, error=exc, status=status_of(exc))
    return _matching(
        request,
        session,
        filter_reseller,
        message=(
            "Linked {sku} of {reseller} to {product}.",
            {"sku": reseller_sku, "reseller": reseller_id, "product": wanted},
        ),
    )


@router.post("/catalog/matching/{suggestion_id}/{decision}", dependencies=[require(*EDIT)])
def decide(
    suggestion_id: RowId,
    decision: Literal["accept", "reject"],
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    filter_reseller: str = Form(""),
    min_score: str = Form(""),
    page: str = Form(""),
) -> Response:
    """Accept (link) or reject (never suggest again) one suggestion."""
    request.state.matching_filter = {"min_score": min_score, "page": page}
    try:
        if decision == "accept":
            matching.accept(session, suggestion_id, principal)
        else:
            matching.reject(session, suggestion_id, principal)
        session.flush()  # the request's unit of work commits (docs/transactions.md)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return _matching(request, session, filter_reseller, error=exc, status=status_of(exc))
    return _matching(
        request,
        session,
        filter_reseller,
        message=(
            "Suggestion #{id} accepted: the products are linked."
            if decision == "accept"
            else "Suggestion #{id} rejected: it will not be suggested again.",
            {"id": suggestion_id},
        ),
    )
