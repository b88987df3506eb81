"""The warranty state machines as data: the reseller's claim and the supplier claim.

Claim: submitted → received → inspected → repaired | replaced | refused → closed; a
reseller may cancel while it is only submitted; refusal is possible before inspection too
(out of warranty, wrong unit). Supplier claim: draft → sent → answered → closed, cancelled
while a draft (once sent, the unit is with the supplier until it answers). Words for each
state and step (English message ids, translated) live here too, so the portal, the staff
pages and the notifications say the same thing.
"""

from __future__ import annotations

from hub.core.roles import RESELLER_ROLES, Role
from hub.purchasing.lifecycle import SYSTEM, Machine, Move

DESK = frozenset({Role.OWNER.value, Role.REPAIR.value})
RESELLERS = frozenset(r.value for r in RESELLER_ROLES)
SUPPLIER_DESK = DESK | {Role.PURCHASING.value}


def _m(event: str, sources: str, target: str, actors: frozenset[str]) -> list[Move]:
    return [Move(event, s, target, actors) for s in sources.split()]


CLAIM = Machine(
    "warranty claim",
    [
        *_m("cancel", "submitted", "cancelled", RESELLERS | DESK),
        *_m("receive", "submitted", "received", DESK),
        *_m("inspect", "received", "inspected", DESK),
        *_m("repair", "inspected", "repaired", DESK),
        *_m("replace", "inspected", "replaced", DESK),
        *_m("refuse", "submitted received inspected", "refused", DESK),
        *_m("close", "repaired replaced refused", "closed", DESK | {SYSTEM}),
    ],
)
OPEN_CLAIM = frozenset({"submitted", "received", "inspected", "repaired", "replaced", "refused"})

SUPPLIER_CLAIM = Machine(
    "supplier claim",
    [
        *_m("send", "draft", "sent", SUPPLIER_DESK),
        *_m("answer", "sent", "answered", SUPPLIER_DESK),
        *_m("close", "answered", "closed", SUPPLIER_DESK),
        *_m("cancel", "draft", "cancelled", SUPPLIER_DESK),
    ],
)
OPEN_SUPPLIER_CLAIM = frozenset({"draft", "sent", "answered"})
ANSWERS = ("credit_note", "replacement", "refusal")

# What each state and step is called (portal, staff pages, messages to the reseller).
STATE_WORDS = {
    "submitted": "Submitted",
    "received": "Goods received",
    "inspected": "Inspected",
    "repaired": "Repaired and sent back",
    "replaced": "Replaced: a new unit was sent",
    "refused": "Refused",
    "closed": "Done",
    "cancelled": "Cancelled",
    "draft": "Draft",
    "sent": "Sent to the supplier",
    "answered": "Supplier answered",
}
STEP_WORDS = {
    "file": "Claim filed",
    "cancel": "Claim cancelled",
    "receive": "Goods received by the repair team",
    "inspect": "Goods inspected",
    "repair": "Repaired and sent back",
    "replace": "Replaced: a new unit was sent",
    "refuse": "Claim refused",
    "close": "Claim closed",
    "unrepairable": "The unit cannot be repaired",
    "supplier_sent": "Passed on to the supplier",
    "supplier_answer": "The supplier answered",
    "supplier_closed": "The supplier's part is settled",
}
ANSWER_WORDS = {
    "credit_note": "credit note",
    "replacement": "replacement unit",
    "refusal": "refusal",
}
# What the staff buttons say, per step.
BUTTONS = {
    "receive": "Goods received",
    "inspect": "Save inspection",
    "repair": "Repaired and sent back",
    "replace": "Send a replacement unit",
    "refuse": "Refuse the claim",
    "close": "Close the claim",
    "cancel": "Cancel",
    "send": "Send to the supplier",
    "answer": "Save the answer",
}
# A unit's history in words (the serial report).
SERIAL_STATES = {
    "in_stock": "In stock",
    "shipped": "At the reseller",
    "returned": "Back at the hub",
    "scrapped": "Scrapped",
    "at_supplier": "At the supplier",
    "removed": "Removed (receipt reversed)",
}
SERIAL_EVENTS = {
    "received": "Received into stock",
    "shipped": "Shipped",
    "claimed": "Warranty claim filed",
    "returned": "Returned to the hub",
    "repaired": "Repaired and sent back",
    "refused": "Claim refused, sent back",
    "replaced": "Replaced by another unit",
    "scrapped": "Scrapped",
    "to_supplier": "Sent to the supplier",
    "supplier_answer": "Supplier answered",
    "removed": "Receipt reversed",
}
