"""Staff moving an order on: ship it from a warehouse, cancel it with a reason, deliver it.

Each use case fires the lifecycle event through :func:`hub.orders.service.apply_event`
(one audit entry, the stock effect of the table) and does what the event alone cannot:
take the goods out of the right warehouse, keep the reason, stamp the delivery.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.inventory import locations
from hub.inventory import service as stock
from hub.inventory.serials import ship_with_order
from hub.notifications.service import notify
from hub.orders.models import Order
from hub.orders.service import actor_of, apply_event
from hub.shipping.models import Warehouse
from shared.errors import DataError


def ship(
    session: Session,
    principal: Principal,
    order: Order,
    *,
    courier: str,
    service: str,
    waybill: str,
    warehouse: str | None = None,
    serials: Iterable[str] = (),
) -> Order:
    """Hand the parcels to the courier; the waybill is required and shown to the reseller.

    The goods leave ``warehouse`` (a code); without one, the warehouse that holds every line
    (most stock first), or — on a hub whose stock predates warehouses — no warehouse.
    Serialised products need the serial number of every unit shipped (warranty is counted
    from this shipment: :func:`hub.inventory.serials.ship_with_order`).
    """
    waybill, courier = waybill.strip(), courier.strip()
    if not waybill or not courier:
        raise translatable(
            DataError,
            "shipping needs the courier and the waybill number",
            "fill in the courier (e.g. JNE), service (e.g. REG) and the waybill",
        )
    wid, shipped_from = _ship_from(session, order, warehouse)
    apply_event(
        session,
        principal,
        order,
        "ship",
        warehouse_id=wid,
        waybill=waybill[:60],
        shipping_courier=courier[:40],
        shipping_service=(service.strip() or order.shipping_service)[:40],
        shipped_from=shipped_from,
    )
    ship_with_order(
        session,
        order.id,
        order.reseller_id,
        order.quantities(),
        serials,
        actor=actor_of(principal),
    )
    notify(
        session,
        order.reseller_id,
        "order_shipped",
        {
            "order_id": order.id,
            "courier": order.shipping_courier,
            "service": order.shipping_service,
            "waybill": order.waybill,
        },
    )
    return order


def _ship_from(session: Session, order: Order, code: str | None) -> tuple[int | None, str | None]:
    """The warehouse that holds the order's goods: its id and code, or None (no warehouse)."""
    quantities = order.quantities()
    stock.lock_items(session, quantities)  # hub-wide rows first, as every stock movement does
    if code:
        wid = session.scalar(select(Warehouse.id).where(Warehouse.code == code))
        if wid is None:
            raise translatable(
                DataError, "no warehouse with code {code}", "pick one of the list", code=code
            )
    else:
        wid = locations.best_warehouse(session, quantities)
        if wid is None:
            spare = locations.unassigned(session, quantities)
            if all(spare[pid] >= qty for pid, qty in quantities.items()):
                return None, None  # stock received before warehouses existed
            raise translatable(
                stock.InsufficientStock,
                "no single warehouse holds this whole order",
                "move stock with adjustments, or receive it into one warehouse",
            )
        code = session.scalar(select(Warehouse.code).where(Warehouse.id == wid))
    locations.check_holds(session, wid, quantities)
    return wid, code


def cancel(session: Session, principal: Principal, order: Order, reason: str) -> Order:
    """Cancel with a reason (shown to the reseller and kept); stock goes back to the warehouse."""
    reason = reason.strip()
    if not reason and principal.is_staff:
        raise translatable(
            DataError,
            "say why the order is cancelled",
            "the reason is shown to the reseller and kept in the order's history",
        )
    apply_event(
        session,
        principal,
        order,
        "cancel",
        cancel_reason=(reason or "cancelled by the reseller")[:300],
    )
    notify(
        session,
        order.reseller_id,
        "order_cancelled",
        {"order_id": order.id, "reason": order.cancel_reason},
    )
    return order


def deliver(session: Session, principal: Principal, order: Order) -> Order:
    """The reseller has the goods (the courier's proof of delivery, or the reseller's word)."""
    return apply_event(session, principal, order, "deliver", delivered_at=utcnow())
