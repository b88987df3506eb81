"""What the order and payment routes share: who owns an Idempotency-Key, the order context,
where a placement runs. (Errors are not caught here: :mod:`hub.core.errors` answers them.)"""

from __future__ import annotations

from typing import Callable, TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from hub.core.roles import Principal
from hub.core.state import hub_state
from hub.orders.service import OrderContext, OrderPolicy

T = TypeVar("T")


def owner_key(principal: Principal) -> str:
    """Who an Idempotency-Key belongs to: keys of different callers never collide."""
    return (
        f"reseller:{principal.reseller_id}"
        if principal.reseller_id
        else f"user:{principal.user_id}"
    )


def factory_of(request: Request) -> sessionmaker[Session]:
    return hub_state(request).session_factory


def order_context(request: Request) -> OrderContext:
    """The catalog/shipping seams for this app (tests and the bench may ``put`` their own)."""

    def build() -> OrderContext:
        from hub.orders.catalog import HubCatalog
        from hub.orders.shipping import HubShipping

        return OrderContext(
            catalog=HubCatalog(),
            shipping=HubShipping(),
            policy=OrderPolicy.from_settings(hub_state(request).settings),
        )

    return hub_state(request).part(OrderContext, build)


async def placing(request: Request, work: Callable[[], T]) -> T:
    """Run an order placement inline on the event loop, or in the thread pool
    (``SYNCHUB_INLINE_ORDER_PLACEMENT``, see :class:`hub.core.settings.HubSettings`)."""
    if hub_state(request).inline_order_placement:
        return work()
    return await run_in_threadpool(work)


async def context_dependency(request: Request) -> OrderContext:
    """:func:`order_context` as a route dependency; async, so it costs no trip to the thread pool."""
    return order_context(request)


__all__ = [
    "owner_key",
    "factory_of",
    "order_context",
    "context_dependency",
    "placing",
]
