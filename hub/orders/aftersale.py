"""What a reseller does with its own order after placing it: cancel it while nothing is paid,
confirm that the parcel arrived.

The lifecycle table says who may fire which event; these add what the table cannot see: an
order with money on it (or a transfer finance is still checking) is not the reseller's to
cancel any more — staff cancel it and settle the refund.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.orders.lifecycle import State
from hub.orders.models import Order
from hub.orders.service import apply_event, get_order
from shared.errors import Conflict


def cancel_unpaid(session: Session, principal: Principal, order_id: int) -> Order:
    """Cancel an order nothing has been paid on; its reserved stock goes back on sale."""
    order = get_order(session, principal, order_id, lock=True)
    if order.pending_proofs:
        raise translatable(
            Conflict,
            "finance is still checking a transfer you sent for order #{id}",
            "wait for their answer; if the transfer was a mistake, ask the distributor",
            id=order.id,
        )
    if Decimal(order.paid_amount) > 0:
        raise translatable(
            Conflict,
            "order #{id} has payments on it",
            "ask the distributor to cancel it and refund what was paid",
            id=order.id,
        )
    return apply_event(session, principal, order, "cancel")


def confirm_receipt(session: Session, principal: Principal, order_id: int) -> Order:
    """The parcel arrived: a shipped order is delivered, and the order is completed."""
    order = get_order(session, principal, order_id, lock=True)
    if order.state == State.SHIPPED.value:
        apply_event(session, principal, order, "deliver")
    return apply_event(session, principal, order, "complete")
