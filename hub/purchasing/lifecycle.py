"""The state machines of purchasing as data: purchase order, receipt, supplier invoice.

Pure: no database. A service looks the (state, event) up here, refuses anything not in
the table with the events possible now, and checks the caller's role against the row.
``SYSTEM`` marks moves the hub makes itself (a posted receipt moves its purchase order;
a payment moves its invoice).
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.core.roles import Role
from shared.errors import Conflict, Forbidden

SYSTEM = "system"
OWNER, BUYER = Role.OWNER.value, Role.PURCHASING.value
BUYERS = frozenset({OWNER, BUYER})
RECEIVERS = frozenset({OWNER, BUYER, Role.INVENTORY.value})
PAYABLES = frozenset({OWNER, Role.FINANCE.value})


@dataclass(frozen=True)
class Move:
    event: str
    source: str
    target: str
    actors: frozenset[str]


class Machine:
    """One document kind's transitions, with the same refusal messages for all of them."""

    def __init__(self, kind: str, moves: list[Move]) -> None:
        self.kind = kind
        self.moves = tuple(moves)
        self._index = {(m.source, m.event): m for m in moves}
        self.events = frozenset(m.event for m in moves)
        self.states = frozenset({m.source for m in moves} | {m.target for m in moves})

    def check(self, state: str, event: str, actor: str) -> Move:
        if event not in self.events:
            raise Conflict(
                "unknown {kind} event {event}",
                hint="events: {events}",
                kind=self.kind,
                event=repr(event),
                events=", ".join(sorted(self.events)),
            )
        move = self._index.get((state, event))
        if move is None:
            now = sorted(e for (s, e) in self._index if s == state) or ["none: it is final"]
            raise Conflict(
                "cannot {event} a {kind} that is {state}",
                hint="possible now: {now}",
                event=event,
                kind=self.kind,
                state=state,
                now=", ".join(now),
            )
        if actor not in move.actors:
            raise Forbidden(
                "role {actor} may not {event} a {kind}",
                hint="allowed: {actors}",
                actor=repr(actor),
                event=event,
                kind=self.kind,
                actors=", ".join(sorted(move.actors)),
            )
        return move

    def events_for(self, state: str, actor: str) -> list[str]:
        """What ``actor`` may do next (buttons in the UI)."""
        return sorted({m.event for m in self.moves if m.source == state and actor in m.actors})


def _m(event: str, sources: str, target: str, actors: frozenset[str]) -> list[Move]:
    return [Move(event, s, target, actors) for s in sources.split()]


# Purchase order: receipts move it through partly_received/received (SYSTEM); a reversal back.
PURCHASE_ORDER = Machine(
    "purchase order",
    [
        *_m("approve", "draft", "approved", BUYERS),
        *_m("send", "approved", "sent", BUYERS),
        *_m("cancel", "draft approved sent", "cancelled", BUYERS),
        *_m(
            "receive_part", "sent partly_received received", "partly_received", frozenset({SYSTEM})
        ),
        *_m("receive_all", "sent partly_received received", "received", frozenset({SYSTEM})),
        *_m("receive_none", "partly_received received", "sent", frozenset({SYSTEM})),
        *_m("close", "partly_received received", "closed", BUYERS),
    ],
)
OPEN_PO = frozenset({"approved", "sent", "partly_received"})  # goods still expected
RECEIVABLE_PO = frozenset({"sent", "partly_received", "received"})

RECEIPT = Machine(
    "receipt",
    [
        *_m("post", "draft", "posted", RECEIVERS),
        *_m("cancel", "draft", "cancelled", RECEIVERS),
        *_m("reverse", "posted", "reversed", RECEIVERS),
    ],
)

# Supplier invoice: registered as matched or held by the three-way match (SYSTEM re-runs it).
INVOICE = Machine(
    "supplier invoice",
    [
        *_m("rematch_ok", "held matched", "matched", frozenset({SYSTEM})),
        *_m("rematch_held", "held matched", "held", frozenset({SYSTEM})),
        *_m("approve", "matched held", "approved", PAYABLES),
        *_m("cancel", "matched held approved", "cancelled", PAYABLES),
        *_m("pay_part", "approved partly_paid", "partly_paid", frozenset({SYSTEM})),
        *_m("pay_all", "approved partly_paid", "paid", frozenset({SYSTEM})),
    ],
)
OPEN_INVOICE = frozenset({"matched", "held", "approved", "partly_paid"})  # money still owed
