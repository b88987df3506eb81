"""Receipts (kuitansi): one for every payment finance confirmed, numbered after the invoice.

A receipt is derived, never stored: its number is the invoice number and the payment's place
among the order's confirmed payments (``KW/INV/2026/000042/2``: the second payment of that
invoice), its balance what the order still owed after it. Confirmed payments are never undone,
so the same receipt prints the same way every time.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.orders.documents import Receipt
from hub.orders.models import Order
from hub.orders.service import get_order
from hub.payments.models import TransferConfirmation
from hub.payments.service import visible
from shared.errors import Conflict


def receipts_of(session: Session, order: Order) -> dict[int, Receipt]:
    """The order's receipts by confirmation id, in the order finance confirmed them."""
    confirmed = session.scalars(
        select(TransferConfirmation)
        .where(
            TransferConfirmation.order_id == order.id,
            TransferConfirmation.status == "confirmed",
        )
        .order_by(TransferConfirmation.reviewed_at, TransferConfirmation.id)
    )
    out: dict[int, Receipt] = {}
    paid = Decimal(0)
    for n, conf in enumerate(confirmed, 1):
        amount = Decimal(conf.received_amount if conf.received_amount is not None else conf.amount)
        paid += amount
        out[conf.id] = Receipt(
            number=f"KW/{order.invoice_number or order.id}/{n}",
            amount=amount,
            paid_on=conf.transfer_date,
            confirmed_at=conf.reviewed_at or utcnow(),
            payer_bank=f"{conf.bank} ({conf.account_holder})",
            balance_after=max(Decimal(0), order.transfer_amount - paid),
        )
    return out


def receipt_for(
    session: Session, principal: Principal, confirmation_id: int
) -> tuple[Order, Receipt]:
    """The receipt of one payment, for its own reseller, finance and the owner only."""
    conf = visible(session, principal, confirmation_id)
    order = get_order(session, principal, conf.order_id)
    receipt = receipts_of(session, order).get(conf.id)
    if receipt is None:
        raise translatable(
            Conflict,
            "transfer #{id} is not confirmed yet: it has no receipt",
            "a receipt is issued once finance has found the money",
            id=confirmation_id,
        )
    return order, receipt
