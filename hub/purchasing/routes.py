"""Purchasing API: suppliers, purchase orders and receipts (staff only: supplier costs never
reach a reseller). Thin: parse, call the service, answer a schema (the request is the unit of work). Errors are raised
by meaning and answered by the hub's one error handler."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from hub.core.deps import RowId, SessionDep, SettingsDep, require
from hub.core.roles import Principal, Role
from hub.purchasing import receiving, service, suppliers
from hub.purchasing.schemas import (
    EventIn,
    LinesIn,
    PurchaseOrderCreate,
    PurchaseOrderPublic,
    PurchaseOrdersPublic,
    ReceiptCreate,
    ReceiptPublic,
    ReceiptsPublic,
    SupplierIn,
    SupplierProductPublic,
    SupplierProductsIn,
    SupplierProductsPublic,
    SupplierPublic,
    SuppliersPublic,
)

router = APIRouter(prefix="/api/v1/purchasing", tags=["purchasing"])
BUYERS = (Role.OWNER, Role.PURCHASING)
RECEIVERS = (*BUYERS, Role.INVENTORY)
READERS = (*RECEIVERS, Role.FINANCE, Role.OPERATIONS)
Reader = Annotated[Principal, require(*READERS)]
Buyer = Annotated[Principal, require(*BUYERS)]
Receiver = Annotated[Principal, require(*RECEIVERS)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Event = Annotated[str, Path(max_length=20)]


@router.get("/suppliers", response_model=SuppliersPublic)
def list_suppliers(
    session: SessionDep,
    principal: Reader,
    q: Annotated[str, Query(max_length=100)] = "",
    active: Optional[bool] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> SuppliersPublic:
    """Suppliers by code; ``q`` searches code and legal name."""
    rows, count = suppliers.list_suppliers(session, q=q, active=active, limit=limit, offset=offset)
    return SuppliersPublic(data=[SupplierPublic.model_validate(s) for s in rows], count=count)


@router.post("/suppliers", status_code=201, response_model=SupplierPublic)
def create_supplier(body: SupplierIn, session: SessionDep, principal: Buyer) -> SupplierPublic:
    """A new supplier (code, legal name, NPWP, terms, lead time, contacts)."""
    out = SupplierPublic.model_validate(suppliers.create_supplier(session, principal, body))
    return out


@router.get("/suppliers/{supplier_id}", response_model=SupplierPublic)
def get_supplier(supplier_id: RowId, session: SessionDep, principal: Reader) -> SupplierPublic:
    """One supplier with its contacts."""
    return SupplierPublic.model_validate(suppliers.get_supplier(session, supplier_id))


@router.put("/suppliers/{supplier_id}", response_model=SupplierPublic)
def update_supplier(
    supplier_id: RowId, body: SupplierIn, session: SessionDep, principal: Buyer
) -> SupplierPublic:
    """Replace the supplier's details and contacts (the code stays)."""
    out = SupplierPublic.model_validate(
        suppliers.update_supplier(session, principal, supplier_id, body)
    )
    return out


@router.get("/suppliers/{supplier_id}/products", response_model=SupplierProductsPublic)
def supplier_products(
    supplier_id: RowId, session: SessionDep, principal: Reader
) -> SupplierProductsPublic:
    """What the supplier supplies: its codes, our costs, order minimum and multiple."""
    rows = [
        SupplierProductPublic.model_validate(sp)
        for sp, _ in suppliers.products_of(session, supplier_id)
    ]
    return SupplierProductsPublic(data=rows, count=len(rows))


@router.put("/suppliers/{supplier_id}/products", response_model=SupplierProductsPublic)
def set_supplier_products(
    supplier_id: RowId,
    body: SupplierProductsIn,
    session: SessionDep,
    principal: Buyer,
) -> SupplierProductsPublic:
    """Add or update products (by product id or SKU); products not listed are kept."""
    rows = [
        SupplierProductPublic.model_validate(sp)
        for sp in suppliers.set_products(session, principal, supplier_id, body.items)
    ]
    return SupplierProductsPublic(data=rows, count=len(rows))


@router.delete("/suppliers/{supplier_id}/products/{product_id}", status_code=204)
def remove_supplier_product(
    supplier_id: RowId, product_id: RowId, session: SessionDep, principal: Buyer
) -> Response:
    """The supplier no longer supplies the product."""
    suppliers.remove_product(session, principal, supplier_id, product_id)
    return Response(status_code=204)


@router.get("/orders", response_model=PurchaseOrdersPublic)
def list_orders(
    session: SessionDep,
    principal: Reader,
    state: Annotated[Optional[str], Query(max_length=20)] = None,
    supplier_id: Annotated[Optional[int], Query(ge=1, le=2_147_483_647)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PurchaseOrdersPublic:
    """Purchase orders, newest first; filter by state or supplier."""
    rows, count = service.list_orders(
        session, supplier_id=supplier_id, state=state, limit=limit, offset=offset
    )
    return PurchaseOrdersPublic(
        data=[PurchaseOrderPublic.model_validate(p) for p in rows], count=count
    )


@router.post("/orders", status_code=201, response_model=PurchaseOrderPublic)
def create_order(
    body: PurchaseOrderCreate, session: SessionDep, principal: Buyer
) -> PurchaseOrderPublic:
    """A draft purchase order; a line without ``unit_cost`` takes the supplier's price."""
    out = PurchaseOrderPublic.model_validate(service.create_order(session, principal, body))
    return out


@router.get("/orders/{po_id}", response_model=PurchaseOrderPublic)
def get_order(po_id: RowId, session: SessionDep, principal: Reader) -> PurchaseOrderPublic:
    """One purchase order with its lines (ordered, received, still to come)."""
    return PurchaseOrderPublic.model_validate(service.get_order(session, po_id))


@router.put("/orders/{po_id}/lines", response_model=PurchaseOrderPublic)
def replace_lines(
    po_id: RowId, body: LinesIn, session: SessionDep, principal: Buyer
) -> PurchaseOrderPublic:
    """Replace the lines of a draft."""
    out = PurchaseOrderPublic.model_validate(
        service.replace_lines(session, principal, po_id, body.lines)
    )
    return out


@router.post("/orders/{po_id}/events/{event}", response_model=PurchaseOrderPublic)
def fire_order(
    po_id: RowId,
    event: Event,
    session: SessionDep,
    settings: SettingsDep,
    principal: Buyer,
    body: Optional[EventIn] = None,
) -> PurchaseOrderPublic:
    """approve, send (e-mails the PDF to the supplier), cancel or close (reason when short)."""
    po = service.fire(
        session,
        principal,
        po_id,
        event,
        reason=(body or EventIn()).reason,
        files=settings.home / "purchasing" / "orders",
    )
    out = PurchaseOrderPublic.model_validate(po)
    return out


@router.get("/orders/{po_id}/pdf")
def order_pdf(po_id: RowId, session: SessionDep, principal: Reader) -> Response:
    """The purchase order as the supplier receives it (PDF, Indonesian)."""
    po = service.get_order(session, po_id)
    return Response(
        service.po_pdf(session, po),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{po.number}.pdf"'},
    )


@router.get("/orders/{po_id}/receipts", response_model=ReceiptsPublic)
def order_receipts(po_id: RowId, session: SessionDep, principal: Reader) -> ReceiptsPublic:
    """The order's receipts (drafts, posted, reversed)."""
    service.get_order(session, po_id)
    rows = [ReceiptPublic.model_validate(r) for r in receiving.receipts_of(session, po_id)]
    return ReceiptsPublic(data=rows, count=len(rows))


@router.post("/orders/{po_id}/receipts", status_code=201, response_model=ReceiptPublic)
def receive(
    po_id: RowId, body: ReceiptCreate, session: SessionDep, principal: Receiver
) -> ReceiptPublic:
    """Goods arrived: quantities per order line (reason for more than ordered), serials,
    landed costs. ``post: false`` keeps a draft."""
    out = ReceiptPublic.model_validate(receiving.create_receipt(session, principal, po_id, body))
    return out


@router.get("/receipts/{receipt_id}", response_model=ReceiptPublic)
def get_receipt(receipt_id: RowId, session: SessionDep, principal: Reader) -> ReceiptPublic:
    """One receipt with its lines and landed costs."""
    return ReceiptPublic.model_validate(receiving.get_receipt(session, receipt_id))


@router.post("/receipts/{receipt_id}/events/{event}", response_model=ReceiptPublic)
def fire_receipt(
    receipt_id: RowId,
    event: Event,
    session: SessionDep,
    principal: Receiver,
    body: Optional[EventIn] = None,
) -> ReceiptPublic:
    """post a draft, cancel a draft, reverse a posted receipt (with a reason)."""
    r = receiving.fire(session, principal, receipt_id, event, reason=(body or EventIn()).reason)
    out = ReceiptPublic.model_validate(r)
    return out
