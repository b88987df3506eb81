"""The order state machine as data: which event moves which state, fired by whom.

Pure: no database, no HTTP. The service looks a transition up here, refuses
anything not in the table, and applies the stock effect named by the row.
``SYSTEM`` stands for the hub's own jobs (expiry, payment booking).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional

from hub.core.roles import Role
from shared.errors import Conflict, Forbidden

SYSTEM = "system"


class State(str, Enum):
    DRAFT = "draft"
    PLACED = "placed"
    AWAITING_PAYMENT = "awaiting_payment"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Stock(str, Enum):
    """What a transition does to the order's stock."""

    NONE = "none"
    RESERVE = "reserve"
    RELEASE = "release"
    SHIP = "ship"


@dataclass(frozen=True)
class Transition:
    event: str
    source: State
    target: State
    actors: frozenset[str]
    stock: Stock = Stock.NONE


S = State
R = Role
_RESELLER = {R.RESELLER.value, R.RESELLER_ADMIN.value}
_OPS = {R.OWNER.value, R.OPERATIONS.value}
_FIN = {R.OWNER.value, R.FINANCE.value, SYSTEM}
_INV = {R.OWNER.value, R.INVENTORY.value, R.OPERATIONS.value}


def _t(
    event: str, source: State, target: State, actors: set[str], stock: Stock = Stock.NONE
) -> Transition:
    return Transition(event, source, target, frozenset(actors), stock)


TABLE: tuple[Transition, ...] = (
    _t("place", S.DRAFT, S.PLACED, _RESELLER | _OPS | {SYSTEM}, Stock.RESERVE),
    _t("request_payment", S.PLACED, S.AWAITING_PAYMENT, _RESELLER | _OPS | {SYSTEM}),
    _t("pay_partial", S.AWAITING_PAYMENT, S.PARTIALLY_PAID, _FIN),
    _t("pay_partial", S.PARTIALLY_PAID, S.PARTIALLY_PAID, _FIN),
    _t("pay_full", S.AWAITING_PAYMENT, S.PAID, _FIN),
    _t("pay_full", S.PARTIALLY_PAID, S.PAID, _FIN),
    _t("pack", S.PAID, S.PACKED, _INV),
    _t("ship", S.PACKED, S.SHIPPED, _INV, Stock.SHIP),
    _t("deliver", S.SHIPPED, S.DELIVERED, _INV | _RESELLER),
    _t("complete", S.DELIVERED, S.COMPLETED, _OPS | _RESELLER | {SYSTEM}),
    _t("cancel", S.DRAFT, S.CANCELLED, _RESELLER | _OPS),
    _t("cancel", S.PLACED, S.CANCELLED, _RESELLER | _OPS, Stock.RELEASE),
    _t("cancel", S.AWAITING_PAYMENT, S.CANCELLED, _RESELLER | _OPS, Stock.RELEASE),
    _t("cancel", S.PARTIALLY_PAID, S.CANCELLED, _OPS, Stock.RELEASE),
    _t("cancel", S.PAID, S.CANCELLED, _OPS, Stock.RELEASE),
    _t("cancel", S.PACKED, S.CANCELLED, _OPS, Stock.RELEASE),
    _t("expire", S.AWAITING_PAYMENT, S.EXPIRED, {SYSTEM}, Stock.RELEASE),
)

_INDEX = {(t.source, t.event): t for t in TABLE}
EVENTS = frozenset(t.event for t in TABLE)
# States in which the order's lines hold a reservation.
RESERVING = frozenset({S.PLACED, S.AWAITING_PAYMENT, S.PARTIALLY_PAID, S.PAID, S.PACKED})
FINAL = frozenset({S.COMPLETED, S.CANCELLED, S.EXPIRED})


class IllegalTransition(Conflict):
    """The event is not allowed from the order's current state (or is no event at all)."""


class TransitionForbidden(Forbidden):
    """The event is allowed from this state, but not for the caller's role."""


def find(state: State, event: str) -> Optional[Transition]:
    return _INDEX.get((state, event))


def check(state: State, event: str, actor: str) -> Transition:
    """The transition for ``event`` from ``state`` if ``actor`` (a role value or SYSTEM) may fire it."""
    if event not in EVENTS:
        raise IllegalTransition(
            "unknown order event {event}",
            hint="events: {events}",
            event=repr(event),
            events=", ".join(sorted(EVENTS)),
        )
    t = find(state, event)
    if t is None:
        allowed = sorted(e for (s, e) in _INDEX if s == state) or ["none: the order is final"]
        raise IllegalTransition(
            "cannot {event} an order that is {state}",
            hint="possible now: {allowed}",
            event=event,
            state=state.value,
            allowed=", ".join(allowed),
        )
    if actor not in t.actors:
        raise TransitionForbidden(
            "role {role} may not {event} an order that is {state}",
            hint="allowed: {allowed}",
            role=actor,
            event=event,
            state=state.value,
            allowed=", ".join(sorted(t.actors)),
        )
    return t


def events_for(state: State, actor: str) -> list[str]:
    """What ``actor`` may do next (for buttons in the UI)."""
    return sorted({t.event for t in TABLE if t.source == state and actor in t.actors})
