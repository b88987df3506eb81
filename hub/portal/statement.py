"""The reseller's statement of account: every invoice, every confirmed payment, the balance.

Built from the orders and finance's confirmations, never stored: an invoice is a debit on the
day it was placed; a cancelled or expired one is credited back the day it ended (what was paid
on it stays a credit until refunded); a confirmed payment is a credit on the day finance found
it. The balance after each line is what the reseller owes (negative: the distributor owes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.roles import Principal, restrict
from hub.orders.models import Order
from hub.payments.models import TransferConfirmation

ENDED = frozenset({"cancelled", "expired"})


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # invoice | cancelled | payment
    order_id: int
    reference: str  # the invoice number; for a payment, its bank and holder
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)


@dataclass
class Statement:
    entries: list[Entry] = field(default_factory=list)
    invoiced: Decimal = Decimal(0)
    credited: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        return self.invoiced - self.credited


def statement(session: Session, principal: Principal) -> Statement:
    """The caller's reseller's statement, oldest first (a reseller sees only its own)."""
    orders = session.scalars(
        restrict(
            select(Order).where(Order.invoice_number.is_not(None)), principal, Order.reseller_id
        )
    ).all()
    raw: list[Entry] = []
    for o in orders:
        at = o.placed_at or o.created_at
        raw.append(Entry(at, "invoice", o.id, o.invoice_number or "", debit=o.transfer_amount))
        if o.state in ENDED:
            raw.append(
                Entry(o.updated_at, o.state, o.id, o.invoice_number or "", credit=o.transfer_amount)
            )
    payments = session.scalars(
        restrict(
            select(TransferConfirmation).where(TransferConfirmation.status == "confirmed"),
            principal,
            TransferConfirmation.reseller_id,
        )
    ).all()
    for c in payments:
        received = Decimal(c.received_amount if c.received_amount is not None else c.amount)
        raw.append(
            Entry(
                c.reviewed_at or c.created_at,
                "payment",
                c.order_id,
                f"{c.invoice_number} · {c.bank} ({c.account_holder})",
                credit=received,
            )
        )
    order = {"invoice": 0, "payment": 1, "cancelled": 2, "expired": 2}
    raw.sort(key=lambda e: (e.at, order[e.kind], e.order_id))
    out = Statement()
    for e in raw:
        out.invoiced += e.debit
        out.credited += e.credit
        out.entries.append(
            Entry(e.at, e.kind, e.order_id, e.reference, e.debit, e.credit, out.balance)
        )
    return out
