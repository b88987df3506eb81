"""Turning the service's errors into HTTP answers, in one place for orders and payments."""

from __future__ import annotations

from typing import Callable, TypeVar

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from hub.core.errors import status_of
from hub.core.roles import Principal
from hub.core.state import hub_state
from hub.inventory.service import InsufficientStock
from hub.orders.idempotency import IdempotencyConflict
from hub.orders.lifecycle import IllegalTransition
from hub.orders.service import OrderContext, OrderNotFound, OrderPolicy
from shared.errors import SyncHubError

NOT_FOUND = ("OrderNotFound", "ConfirmationNotFound")
T = TypeVar("T")


def http_error(exc: SyncHubError) -> HTTPException:
    """Status by class: 404 unseen, 403 wrong role, 409 conflicts, 413 too large, else the
    project's status of its class (:func:`hub.core.errors.status_of`: a closed month's
    ``Conflict`` is 409). Raise it ``from exc``: the error handler translates the cause."""
    name = type(exc).__name__
    if name in NOT_FOUND:
        status = 404
    elif isinstance(exc, IllegalTransition):
        status = 403 if exc.context.get("forbidden") else 409
    elif isinstance(exc, (InsufficientStock, IdempotencyConflict)):
        status = 409
    elif exc.context.get("too_large"):
        status = 413
    else:
        status = status_of(exc)
    detail = {"error": name, "message": exc.message, "hint": exc.hint}
    detail.update({k: v for k, v in exc.context.items() if k in ("problems", "shortfalls")})
    return HTTPException(status, detail)


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
            catalog=HubCatalog(), shipping=HubShipping(), policy=OrderPolicy.from_env()
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
    "http_error",
    "owner_key",
    "factory_of",
    "order_context",
    "context_dependency",
    "placing",
    "OrderNotFound",
]
