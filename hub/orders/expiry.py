"""The expiry job: unpaid orders past window + grace expire and release their stock.

Idempotent and safe to run from several workers: each order is re-checked
under its row lock in its own transaction; an order with a transfer proof
waiting for finance (``pending_proofs > 0``) never expires; a partially paid
one is not "unpaid" and is left to operations. An order whose month is closed
(:mod:`hub.periods.guard` refuses to void it) stays as it is and is logged with what to do.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import utcnow
from hub.notifications.service import notify
from hub.orders.lifecycle import State
from hub.orders.models import Order
from hub.orders.service import OrderPolicy, apply_event, get_order
from shared.errors import Conflict

log = logging.getLogger("hub.orders.expiry")


def _due(order: Order, policy: OrderPolicy, now: dt.datetime) -> bool:
    return (
        order.state == State.AWAITING_PAYMENT.value
        and order.pending_proofs == 0
        and order.payment_due_at is not None
        and order.payment_due_at + policy.grace <= now
    )


def expire_due(
    factory: sessionmaker[Session],
    policy: OrderPolicy = OrderPolicy(),
    now: Optional[dt.datetime] = None,
) -> list[int]:
    """Expire what is due; returns the ids expired by this run."""
    now = now or utcnow()
    with factory() as session:
        ids = list(
            session.execute(
                select(Order.id)
                .where(
                    Order.state == State.AWAITING_PAYMENT.value,
                    Order.pending_proofs == 0,
                    Order.payment_due_at <= now - policy.grace,
                )
                .order_by(Order.id)
            ).scalars()
        )
    expired = []
    for order_id in ids:
        try:
            with factory() as session, session.begin():
                order = get_order(session, None, order_id, lock=True)
                if _due(order, policy, now):
                    apply_event(session, None, order, "expire")
                    expired.append(order_id)
        except Conflict as exc:  # its month is closed: the owner decides, the job does not
            log.warning("order #%s not expired: %s (%s)", order_id, exc, exc.hint)
    return expired


def remind_due(
    factory: sessionmaker[Session],
    policy: OrderPolicy = OrderPolicy(),
    now: Optional[dt.datetime] = None,
) -> list[int]:
    """Queue one "expiring soon" message per unpaid order close to its deadline."""
    now = now or utcnow()
    with factory() as session, session.begin():
        orders = (
            session.execute(
                select(Order).where(
                    Order.state == State.AWAITING_PAYMENT.value,
                    Order.reminded_at.is_(None),
                    Order.payment_due_at <= now + policy.remind_before,
                )
            )
            .scalars()
            .all()
        )
        for order in orders:
            order.reminded_at = now
            deadline = (order.payment_due_at or now) + policy.grace
            notify(
                session,
                order.reseller_id,
                "order_expiring",
                {"order_id": order.id, "due": deadline.isoformat()},
            )
        return [o.id for o in orders]
