"""The warehouse's stock page, stock receipts and adjustments (master data), reorder points.

``/stock`` shows one warehouse's products: what it holds, the hub-wide reserved and
available quantities, and a mark when the warehouse is out or at/below its reorder point.
Stock received before warehouses existed is counted and pointed out ("no warehouse").
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.core import nav
from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.i18n import parse_int, translatable
from hub.core.roles import STAFF
from hub.core.templating import language, render
from hub.inventory import bins
from hub.inventory.locations import Level, location
from hub.inventory.models import Bin, StockItem
from hub.inventory.records import ADJUSTMENTS, RECEIPTS, STOCK
from hub.masterdata.fields import Invalid
from hub.masterdata.kind import COUNT_AHEAD
from hub.masterdata.registry import routers
from hub.shipping.models import Warehouse
from shared.errors import DataError, NotFound

router = routers((RECEIPTS, 70), (ADJUSTMENTS, 72))
nav.register(nav.NavItem("Stock", "/stock", STAFF, order=54))
PAGE = 50


def _warehouses(session: Session) -> list[Warehouse]:
    return list(
        session.scalars(
            select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.code)
        )
    )


class StockProduct(NamedTuple):
    """What the stock page shows of a product (not the whole row: specs and images stay unread)."""

    id: int
    sku: str
    name: str


def stock_rows(
    session: Session, warehouse_id: int, q: str, low_only: bool, page: int
) -> tuple[list[tuple[StockProduct, Level]], int]:
    """One page of a warehouse's products (SKU order) with their levels, and how many match."""
    on_hand = func.coalesce(Bin.on_hand, 0)
    point = func.coalesce(Bin.reorder_point, 0)
    matching: list[ColumnElement[bool]] = [Product.active.is_(True)]
    for word in q.split()[:8]:
        like = f"%{word.lower()}%"
        matching.append(
            or_(func.lower(Product.sku).like(like), func.lower(Product.name).like(like))
        )
    in_house = and_(Bin.product_id == Product.id, Bin.warehouse_id == warehouse_id)
    stmt = (
        select(
            Product.id,
            Product.sku,
            Product.name,
            on_hand,
            point,
            func.coalesce(StockItem.on_hand, 0),
            func.coalesce(StockItem.reserved, 0),
        )
        .outerjoin(Bin, in_house)
        .outerjoin(StockItem, StockItem.product_id == Product.id)
        .where(*matching, *([on_hand <= point] if low_only else []))
    )
    offset = (page - 1) * PAGE
    rows = session.execute(stmt.order_by(Product.sku).offset(offset).limit(PAGE)).all()
    total: int | None
    if page == 1 and len(rows) < PAGE:
        total = len(rows)  # a search that fits one page: nothing more to count
    else:  # counted up to COUNT_AHEAD past this page ("1.050+"), not to the end
        counted = select(Product.id).where(*matching).limit(offset + PAGE + COUNT_AHEAD + 1)
        if low_only:
            counted = counted.outerjoin(Bin, in_house).where(on_hand <= point)
        total = session.scalar(select(func.count()).select_from(counted.subquery()))
    return [
        (StockProduct(pid, sku, name), Level(pid, int(h), int(r), int(t), int(res)))
        for pid, sku, name, h, r, t, res in rows
    ], int(total or 0)


def _unassigned(session: Session) -> int:
    total = session.scalar(select(func.coalesce(func.sum(StockItem.on_hand), 0))) or 0
    placed = session.scalar(select(func.coalesce(func.sum(Bin.on_hand), 0))) or 0
    return int(total) - int(placed)


@router.get("/stock", dependencies=[require(*STAFF)], include_in_schema=False)
def stock_page(
    request: Request,
    session: SessionDep,
    warehouse: str = Query("", max_length=32),
    q: str = Query("", max_length=200),
    low: bool = False,
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """A warehouse's stock, 50 products a page; ``low`` shows only those to reorder."""
    return _page(request, session, warehouse, q, low, page)


def _page(
    request: Request,
    session: Session,
    code: str,
    q: str,
    low: bool,
    page: int,
    problem: Any = "",
    status: int = 200,
) -> Response:
    houses = _warehouses(session)
    chosen = next((w for w in houses if w.code == code), houses[0] if houses else None)
    rows, total = stock_rows(session, chosen.id, q, low, page) if chosen else ([], 0)
    query = {"warehouse": chosen.code if chosen else "", "q": q, **({"low": "true"} if low else {})}
    return render(
        request,
        "inventory_stock.html",
        {
            "warehouses": houses,
            "chosen": chosen,
            "rows": rows,
            "total": total,
            "q": q,
            "low": low,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "more": total > (page - 1) * PAGE + PAGE + COUNT_AHEAD,
            "query": urlencode(query),
            "unassigned": _unassigned(session),
            "error": problem,
        },
        status_code=status,
    )


@router.post("/stock/reorder-point", dependencies=[require(*STOCK)], include_in_schema=False)
def set_reorder_point(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    warehouse: str = Form(""),
    sku: str = Form(""),
    reorder_point: str = Form(""),
    q: str = Form(""),
    page: str = Form("1"),
) -> Response:
    """The quantity at or below which a product is marked low in a warehouse; audited."""
    back = urlencode({"warehouse": warehouse, "q": q, "page": page if page.isdigit() else "1"})
    try:
        wid = session.scalar(select(Warehouse.id).where(Warehouse.code == warehouse))
        pid = session.scalar(select(Product.id).where(Product.sku == sku))
        if wid is None or pid is None:
            raise translatable(NotFound, "no such warehouse or product", "reload the stock page")
        value = parse_int(reorder_point, language(request))
        if not 0 <= value <= 10_000_000:
            raise Invalid({"reorder_point": ("at least {n}", {"n": 0})})
        row = location(session, wid, pid)
        before = row.reorder_point
        bins.set_levels(session, wid, pid, value, row.reorder_up_to)
        record(
            session,
            principal,
            "stock.reorder_point",
            "product",
            pid,
            {"warehouse": warehouse, "reorder_point": before},
            {"warehouse": warehouse, "reorder_point": value},
        )
    except DataError as exc:
        session.rollback()
        number = int(page) if page.isdigit() else 1
        return _page(request, session, warehouse, q, False, max(1, number), exc, 422)
    return RedirectResponse(f"/stock?{back}", 303)
