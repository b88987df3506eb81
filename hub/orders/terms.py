"""Payment terms shown on an order and its invoice: the receiving account and amounts due."""

from __future__ import annotations

from typing import Any

from hub.core.settings import BankAccount
from hub.orders.models import Order


def instructions(order: Order, bank: BankAccount) -> dict[str, Any]:
    return {
        "bank": bank.name,
        "account_number": bank.account_number,
        "account_holder": bank.account_holder,
        "transfer_amount": str(order.transfer_amount),
        "amount_due": str(order.amount_due),
        "paid_amount": str(order.paid_amount),
        "overpaid": str(order.overpaid),
        "unique_code": order.unique_code,
        "reference": order.payment_reference,
        "invoice_number": order.invoice_number,
        "payment_due_at": order.payment_due_at.isoformat() if order.payment_due_at else None,
    }
