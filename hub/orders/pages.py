"""Order pages: the reseller's orders (list, quick order, CSV, detail with tracking, reorder),
ordering an offer from the offers portal, and the warehouse's pack-and-ship list.

Every rule lives in :mod:`hub.orders.service`; these handlers parse forms, run one use case
in its own transaction (:func:`write`), and render. Errors re-render the page with the
message and the real status. Transfer proofs are posted to ``hub.payments.pages``, which
re-renders the order with :func:`render_order` and adds its part of the order page (proofs
sent, whether a transfer can be confirmed) through :func:`extend_order_page` — so orders
never imports payments, which is built on orders.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import AuditFilter, list_entries
from hub.core import nav
from hub.core.acting import act_for_request
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.i18n import Formatter, parse_int
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.core.state import hub_state
from hub.core.templating import language, render
from hub.inventory.locations import best_warehouse
from hub.inventory.serials import parse_list
from hub.offers import workflow
from hub.offers.pages import render_portal
from hub.orders import aftersale, service
from hub.orders.fulfilment import ship as ship_order
from hub.orders.http import order_context
from hub.orders.lifecycle import State, events_for
from hub.orders.models import Order
from hub.orders.sources import MAX_CSV_BYTES, from_offer, parse_csv
from hub.shipping.models import Warehouse
from hub.shipping.tracking import TrackingLinks
from shared.errors import DataError, NotFound, SyncHubError

router = APIRouter(include_in_schema=False)
WAREHOUSE = (Role.OWNER, Role.INVENTORY, Role.OPERATIONS)  # who packs and ships (lifecycle table)
QUICK_ROWS = 5  # empty SKU/quantity lines on the quick-order form
Message = tuple[str, dict[str, Any]]
PageExtension = Callable[[Session, Principal, Order], dict[str, Any]]
_PAGE_EXTENSIONS: list[PageExtension] = []


def extend_order_page(extension: PageExtension) -> PageExtension:
    """Let a capability built on orders add template context to the order page."""
    _PAGE_EXTENSIONS.append(extension)
    return extension


def order_extras(session: Session, principal: Principal, order: Order) -> dict[str, Any]:
    """What the capabilities built on orders add to an order's page (payments: the proofs)."""
    extra: dict[str, Any] = {"confirmations": [], "receipts": {}, "payable": False}
    for extension in _PAGE_EXTENSIONS:
        extra.update(extension(session, principal, order))
    return extra


nav.register(nav.NavItem("My orders", "/portal/orders", RESELLER_ROLES, order=16))
nav.register(nav.NavItem("Pack and ship", "/fulfilment", frozenset(WAREHOUSE), order=55))


def write(request: Request, session: Session, work: Callable[[Session], Any]) -> Any:
    """Run ``work`` in its own transaction; the request session's read ends first (SQLite write lock)."""
    session.rollback()
    try:
        with hub_state(request).session_factory() as s, s.begin():
            act_for_request(s, request)
            return work(s)
    finally:
        session.expire_all()


def _placed(request: Request, order: Order) -> Message:
    amount = Formatter(language(request)).money(order.transfer_amount)
    return (
        "Order #{id} placed (invoice {invoice}). Please transfer {amount}.",
        {"id": order.id, "invoice": order.invoice_number or "—", "amount": amount},
    )


# --- ordering an offer (the button on the offers portal) ---------------------------------


@router.post("/portal/offers/{offer_id}/order", dependencies=[require(*RESELLER_ROLES)])
def order_offer(
    offer_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    quantity: str = Form("", max_length=20),
) -> Response:
    """Order the offer, all of it or fewer (typed): priced, stock reserved, invoiced."""
    try:
        workflow.get_offer(session, offer_id, principal)
    except DataError:
        raise NotFound("no offer #{offer_id}", offer_id=offer_id) from None
    try:
        qty = parse_int(quantity, language(request)) if quantity.strip() else None
        message = write(
            request,
            session,
            lambda s: _placed(
                request, from_offer(s, principal, offer_id, order_context(request), qty)
            ),
        )
    except SyncHubError as exc:
        return render_portal(request, session, principal, error=exc, status=409)
    return render_portal(request, session, principal, message=message)


# --- the reseller's orders ----------------------------------------------------------------


def _list(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: str | Exception = "",
    lines: Optional[list[tuple[str, str]]] = None,
    status: int = 200,
) -> Response:
    orders = service.list_orders(session, principal, limit=200)
    rows = lines or []
    rows = rows + [("", "")] * max(0, QUICK_ROWS - len(rows))
    return render(
        request,
        "orders_portal.html",
        {"orders": orders, "error": error, "lines": rows},
        status_code=status,
    )


@router.get("/portal/orders", dependencies=[require(*RESELLER_ROLES)])
def my_orders(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Order history with status and what is still due; quick order by SKU or CSV."""
    return _list(request, session, principal)


def _quick_lines(skus: list[str], quantities: list[str]) -> list[service.LineRequest]:
    lines, problems = [], []
    for n, (sku, qty) in enumerate(zip(skus, quantities), 1):
        sku, qty = sku.strip(), qty.strip()
        if not sku and not qty:
            continue
        if not qty.isdigit():
            problems.append(f"line {n}: quantity {qty!r} is not a whole number")
            continue
        lines.append(service.LineRequest(quantity=int(qty), sku=sku))
    if problems:
        raise service.OrderInputError("; ".join(problems), hint="fix these lines and order again")
    return lines


@router.post("/portal/orders", dependencies=[require(*RESELLER_ROLES)])
def quick_order(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    sku: list[str] = Form([]),
    quantity: list[str] = Form([]),
) -> Response:
    """Place an order from SKU + quantity lines; every bad line is reported at once."""
    rid = str(principal.reseller_id)
    try:
        lines = _quick_lines(sku, quantity)
        order_id = write(
            request,
            session,
            lambda s: (
                service.create_order(
                    s, principal, rid, lines, order_context(request), source="portal"
                ).id
            ),
        )
    except SyncHubError as exc:
        return _list(
            request,
            session,
            principal,
            error=exc,
            lines=list(zip(sku, quantity))[:50],
            status=422,
        )
    return RedirectResponse(f"/portal/orders/{order_id}", 303)


@router.post(
    "/portal/orders/csv",
    dependencies=[require(*RESELLER_ROLES)],
    max_body_size=MAX_CSV_BYTES + 64 * 1024,
)
async def csv_order(
    request: Request, session: SessionDep, principal: CurrentPrincipal, file: UploadFile
) -> Response:
    """Place an order from a CSV file with the columns ``sku,quantity``."""
    data = await file.read(MAX_CSV_BYTES + 1)
    rid = str(principal.reseller_id)
    try:
        lines = parse_csv(data)
        order_id = write(
            request,
            session,
            lambda s: (
                service.create_order(
                    s, principal, rid, lines, order_context(request), source="csv"
                ).id
            ),
        )
    except SyncHubError as exc:
        return _list(request, session, principal, error=exc, status=422)
    return RedirectResponse(f"/portal/orders/{order_id}", 303)


def _history(session: Session, order_id: int) -> list[Any]:
    entries, _ = list_entries(
        session, AuditFilter(entity="order", entity_id=str(order_id)), limit=200
    )
    return [e for e in reversed(entries) if e.action.startswith("order.")]


def render_order(
    request: Request,
    session: Session,
    principal: Principal,
    order_id: RowId,
    *,
    message: Optional[Message] = None,
    error: str | Exception = "",
    form: Optional[dict[str, str]] = None,
    status: int = 200,
) -> Response:
    """The order page: lines, amounts, transfer instructions, proofs sent, tracking and history."""
    try:
        order = service.get_order(session, principal, order_id)
        extra = order_extras(session, principal, order)
    except SyncHubError:
        raise NotFound("no order #{order_id}", order_id=order_id) from None
    return render(
        request,
        "order_detail.html",
        {
            "o": order,
            "bank": hub_state(request).settings.bank,
            "history": _history(session, order.id),
            "tracking_url": TrackingLinks.of(hub_state(request).settings).url(
                order.shipping_courier, order.waybill
            ),
            **extra,
            "message": message,
            "error": error,
            "form": form or {},
            "next_events": events_for(State(order.state), principal.role.value),
        },
        status_code=status,
    )


@router.get("/portal/orders/{order_id}", dependencies=[require(*RESELLER_ROLES)])
def order_page(
    order_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """One order: what to transfer and where, the proof form, tracking, documents."""
    return render_order(request, session, principal, order_id)


def _own_move(
    request: Request,
    session: Session,
    principal: Principal,
    order_id: int,
    work: Callable[[Session], Any],
    done: str,
) -> Response:
    """Run the reseller's own action on its order and show the order again, with the outcome."""
    try:
        write(request, session, work)
    except service.OrderNotFound:
        raise NotFound("no order #{order_id}", order_id=order_id) from None
    except SyncHubError as exc:
        return render_order(request, session, principal, order_id, error=exc, status=409)
    return render_order(request, session, principal, order_id, message=(done, {"id": order_id}))


@router.post("/portal/orders/{order_id}/cancel", dependencies=[require(*RESELLER_ROLES)])
def cancel_order(
    order_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Cancel an order nothing is paid on yet; its stock goes back on sale."""
    return _own_move(
        request,
        session,
        principal,
        order_id,
        lambda s: aftersale.cancel_unpaid(s, principal, order_id),
        "Order #{id} cancelled.",
    )


@router.post("/portal/orders/{order_id}/received", dependencies=[require(*RESELLER_ROLES)])
def confirm_received(
    order_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The parcel arrived in good order: the order is completed."""
    return _own_move(
        request,
        session,
        principal,
        order_id,
        lambda s: aftersale.confirm_receipt(s, principal, order_id),
        "Thank you: order #{id} is complete.",
    )


# --- the warehouse: pack and ship -----------------------------------------------------------


def _fulfilment(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    message: Optional[Message] = None,
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    paid = service.list_orders(session, principal, state=State.PAID.value, limit=500)
    packed = service.list_orders(session, principal, state=State.PACKED.value, limit=500)
    houses = session.execute(
        select(Warehouse.id, Warehouse.code, Warehouse.name)
        .where(Warehouse.active.is_(True))
        .order_by(Warehouse.code)
    ).all()
    code = {wid: c for wid, c, _ in houses}
    return render(
        request,
        "orders_fulfilment.html",
        {
            "paid": sorted(paid, key=lambda o: o.id),
            "packed": sorted(packed, key=lambda o: o.id),
            "warehouses": [(c, n) for _, c, n in houses],
            # the warehouse that holds each packed order whole, preselected
            "ship_from": {
                o.id: code.get(best_warehouse(session, o.quantities()) or 0, "") for o in packed
            },
            "message": message,
            "error": error,
        },
        status_code=status,
    )


@router.get("/fulfilment", dependencies=[require(*WAREHOUSE)])
def fulfilment(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Paid orders to pack, packed orders to hand to the courier."""
    return _fulfilment(request, session, principal)


def _move(
    request: Request,
    session: Session,
    principal: Principal,
    order_id: RowId,
    work: Callable[[Session, Order], Any],
    done: str,
) -> Response:
    def run(s: Session) -> None:
        work(s, service.get_order(s, principal, order_id, lock=True))

    try:
        write(request, session, run)
    except service.OrderNotFound:
        raise NotFound("no order #{order_id}", order_id=order_id) from None
    except SyncHubError as exc:
        said = Formatter(language(request)).error(exc)
        return _fulfilment(request, session, principal, error=f"#{order_id}: {said}", status=409)
    return _fulfilment(request, session, principal, message=(done, {"id": order_id}))


@router.post("/fulfilment/{order_id}/pack", dependencies=[require(*WAREHOUSE)])
def pack(
    order_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The parcels are packed (print the packing slip first)."""
    return _move(
        request,
        session,
        principal,
        order_id,
        lambda s, o: service.apply_event(s, principal, o, "pack"),
        "Order #{id} packed.",
    )


@router.post("/fulfilment/{order_id}/ship", dependencies=[require(*WAREHOUSE)])
def ship(
    order_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    courier: str = Form(""),
    service_code: str = Form("", alias="service"),
    waybill: str = Form(""),
    warehouse: str = Form(""),
    serials: str = Form(""),
) -> Response:
    """Handed to the courier: courier, service and waybill are shown to the reseller; the
    goods leave the chosen warehouse's stock.

    Serialised products: the serial number of every unit, one per line (or scanned).
    """
    return _move(
        request,
        session,
        principal,
        order_id,
        lambda s, o: ship_order(
            s,
            principal,
            o,
            courier=courier,
            service=service_code,
            waybill=waybill,
            warehouse=warehouse or None,
            serials=parse_list(serials),
        ),
        "Order #{id} shipped.",
    )
