"""Order API: create (JSON, CSV, offer, reorder), cart edits, lifecycle events, documents."""

from __future__ import annotations

from typing import Annotated, Any, Callable, Optional

from fastapi import APIRouter, Depends, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from hub.core.acting import act_for_request
from hub.core.deps import RowId, SessionDep, SettingsDep, require, reseller_filter
from hub.core.roles import STAFF, Principal, Role
from hub.core.settings import HubSettings
from hub.core.templating import language
from hub.orders import fulfilment, service
from hub.orders.documents import invoice_pdf, packing_slip_pdf, proforma_pdf
from hub.orders.http import context_dependency, factory_of, owner_key, placing
from hub.orders.idempotency import run_once
from hub.orders.papers import papers_for
from hub.orders.schemas import (
    EventIn,
    FromOffer,
    LinesUpdate,
    OrderCreate,
    OrderPublic,
    OrdersPublic,
    order_json,
    order_public,
)
from hub.orders.service import LineRequest, OrderContext
from hub.orders.sources import MAX_CSV_BYTES, from_offer, parse_csv, replace_lines

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
BUYERS = (Role.RESELLER, Role.RESELLER_ADMIN, Role.OWNER, Role.OPERATIONS)
VIEWERS = tuple(STAFF) + (Role.RESELLER, Role.RESELLER_ADMIN)
Buyer = Annotated[Principal, require(*BUYERS)]
Viewer = Annotated[Principal, require(*VIEWERS)]
Ctx = Annotated[OrderContext, Depends(context_dependency)]
IdemKey = Annotated[Optional[str], Header(alias="Idempotency-Key")]


def _lines(items: Any) -> list[LineRequest]:
    return [LineRequest(quantity=i.quantity, product_id=i.product_id, sku=i.sku) for i in items]


def _target(principal: Principal, requested: Optional[str]) -> str:
    rid = requested if principal.is_staff else principal.reseller_id
    if not rid:
        raise service.OrderInputError("staff must name the reseller_id the order is for")
    return rid


async def _create(
    request: Request,
    principal: Principal,
    key: Optional[str],
    payload: Any,
    make: Callable[[Session], Any],
) -> JSONResponse:
    out = await placing(
        request,
        lambda: run_once(
            factory_of(request),
            scope="order.create",
            owner=owner_key(principal),
            key=key,
            payload=payload,
            work=lambda s: order_json(make(s), principal),
        ),
    )
    return JSONResponse(
        out.body, out.status_code, headers={"Idempotent-Replayed": str(out.replayed).lower()}
    )


@router.post("", status_code=201, response_model=OrderPublic)
async def create(
    body: OrderCreate, request: Request, principal: Buyer, ctx: Ctx, key: IdemKey = None
) -> JSONResponse:
    """Place an order (or keep it as a cart with ``submit: false``). Retry safely with ``Idempotency-Key``."""
    rid = _target(principal, body.reseller_id)
    return await _create(
        request,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda s: service.create_order(
            s,
            principal,
            rid,
            _lines(body.lines),
            ctx,
            note=body.note,
            submit=body.submit,
            source="api" if body.submit else "cart",
        ),
    )


@router.post(
    "/csv", status_code=201, response_model=OrderPublic, max_body_size=MAX_CSV_BYTES + 64 * 1024
)
async def create_from_csv(
    file: UploadFile,
    request: Request,
    principal: Buyer,
    ctx: Ctx,
    reseller_id: Optional[str] = None,
    key: IdemKey = None,
) -> JSONResponse:
    """Quick order from a CSV file with the columns ``sku,quantity``."""
    data = await file.read(1024 * 1024 + 1)
    rid = _target(principal, reseller_id)
    lines = parse_csv(data)
    return await _create(
        request,
        principal,
        key,
        {"csv": data.hex(), "reseller_id": rid},
        lambda s: service.create_order(s, principal, rid, lines, ctx, source="csv"),
    )


@router.post("/from-offer/{offer_id}", status_code=201, response_model=OrderPublic)
async def create_from_offer(
    offer_id: RowId,
    body: FromOffer,
    request: Request,
    principal: Buyer,
    ctx: Ctx,
    key: IdemKey = None,
) -> JSONResponse:
    """Order what an offer proposes (optionally another quantity)."""
    return await _create(
        request,
        principal,
        key,
        {"offer": offer_id, **body.model_dump()},
        lambda s: from_offer(s, principal, offer_id, ctx, body.quantity),
    )


@router.post("/{order_id}/reorder", status_code=201, response_model=OrderPublic)
async def reorder(
    order_id: RowId, request: Request, principal: Buyer, ctx: Ctx, key: IdemKey = None
) -> JSONResponse:
    """A new order with the same products and quantities, at today's prices."""
    return await _create(
        request,
        principal,
        key,
        {"reorder": order_id},
        lambda s: service.reorder(s, principal, order_id, ctx),
    )


@router.get("", response_model=OrdersPublic)
def list_orders(
    session: SessionDep,
    principal: Viewer,
    reseller_id: Optional[str] = None,
    state: Optional[str] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> OrdersPublic:
    """Order history: a reseller sees its own, staff all (filter by reseller and state)."""
    orders = service.list_orders(
        session,
        principal,
        reseller_id=reseller_filter(principal, reseller_id),
        state=state,
        limit=limit,
        offset=offset,
    )
    data = [order_public(o, principal) for o in orders]
    return OrdersPublic(data=data, count=len(data))


def _in_tx(request: Request, fn: Callable[[Session], Any]) -> Any:
    with factory_of(request)() as s, s.begin():
        act_for_request(s, request)
        return fn(s)


@router.get("/{order_id}", response_model=OrderPublic)
def get(order_id: RowId, session: SessionDep, principal: Viewer) -> OrderPublic:
    """One order with its lines, amounts due and tracking (waybill)."""
    return order_public(service.get_order(session, principal, order_id), principal)


@router.put("/{order_id}/lines", response_model=OrderPublic)
def edit_cart(
    order_id: RowId, body: LinesUpdate, request: Request, principal: Buyer, ctx: Ctx
) -> OrderPublic:
    """Replace the lines of a draft (the cart)."""
    return _in_tx(
        request,
        lambda s: order_public(
            replace_lines(s, principal, order_id, _lines(body.lines), ctx), principal
        ),
    )


@router.post("/{order_id}/place", response_model=OrderPublic)
def place(order_id: RowId, request: Request, principal: Buyer, ctx: Ctx) -> OrderPublic:
    """Submit a cart: stock is reserved and the invoice issued."""
    return _in_tx(
        request,
        lambda s: order_public(
            service.place(s, principal, service.get_order(s, principal, order_id, lock=True), ctx),
            principal,
        ),
    )


@router.post("/{order_id}/events/{event}", response_model=OrderPublic)
def fire(
    order_id: RowId, event: str, request: Request, principal: Viewer, body: Optional[EventIn] = None
) -> OrderPublic:
    """Move the order: pack, ship (courier, service, waybill), deliver, complete, cancel."""
    body = body or EventIn()

    def run(s: Session) -> OrderPublic:
        order = service.get_order(s, principal, order_id, lock=True)
        if event == "ship":
            fulfilment.ship(
                s,
                principal,
                order,
                courier=body.courier,
                service=body.service,
                waybill=body.waybill,
                warehouse=body.warehouse,
                serials=body.serials,
            )
        elif event == "cancel":
            fulfilment.cancel(s, principal, order, body.reason)
        elif event == "deliver":
            fulfilment.deliver(s, principal, order)
        elif event in ("pay_full", "pay_partial", "place", "request_payment", "expire"):
            raise service.OrderInputError(
                "{event} is not fired by hand",
                event=event,
                hint="payments are booked by finance's confirmation; "
                "placing uses /place; expiry is a scheduled job",
            )
        else:
            service.apply_event(s, principal, order, event)
        return order_public(order, principal)

    return _in_tx(request, run)


def _pdf(
    session: Session,
    settings: HubSettings,
    lang: str,
    principal: Principal,
    order_id: int,
    kind: str,
) -> Response:
    order = service.get_order(session, principal, order_id)
    papers = papers_for(session, order, settings, lang)
    make = {"invoice": invoice_pdf, "proforma": proforma_pdf, "packing-slip": packing_slip_pdf}
    body = make[kind](order, papers)
    filename = f"{kind}-{order.id}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{order_id}/invoice.pdf", response_class=Response)
def invoice(
    order_id: RowId, request: Request, session: SessionDep, settings: SettingsDep, principal: Viewer
) -> Response:
    """The invoice (numbered INV/<year>/<n>) as PDF, in the reader's language."""
    return _pdf(
        session, settings, language(request, negotiate=False), principal, order_id, "invoice"
    )


@router.get("/{order_id}/proforma.pdf", response_class=Response)
def proforma(
    order_id: RowId, request: Request, session: SessionDep, settings: SettingsDep, principal: Viewer
) -> Response:
    """The down payment's proforma as PDF (orders whose group pays a down payment first)."""
    return _pdf(
        session, settings, language(request, negotiate=False), principal, order_id, "proforma"
    )


@router.get("/{order_id}/packing-slip.pdf", response_class=Response)
def packing_slip(
    order_id: RowId, request: Request, session: SessionDep, settings: SettingsDep, principal: Viewer
) -> Response:
    """The packing slip (recipient, quantities and options, courier, waybill) as PDF."""
    return _pdf(
        session, settings, language(request, negotiate=False), principal, order_id, "packing-slip"
    )
