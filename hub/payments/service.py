"""Bank-transfer payments: what to transfer, the reseller's confirmation, finance's review.

The order shows one bank account, the exact amount (total + a unique code
so finance can spot it in the statement) and a unique reference. A reseller
confirms a transfer with a proof; finance confirms (crediting what really
arrived — partial, full or over) or rejects with a reason. While a
confirmation waits, the order cannot expire (``Order.pending_proofs``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.db import utcnow
from hub.core.i18n import parse_decimal
from hub.core.roles import Principal, Role, restrict
from hub.notifications.service import notify
from hub.orders.lifecycle import State
from hub.orders.models import Order
from hub.orders.service import book_payment, get_order
from hub.payments.models import TransferConfirmation
from hub.payments.proofs import StoredProof
from hub.resellers.service import require_enabled
from shared.errors import Conflict, DataError, NotFound, problem

PAYABLE = frozenset({State.AWAITING_PAYMENT.value, State.PARTIALLY_PAID.value})
PROOF_VIEWERS = frozenset({Role.FINANCE, Role.OWNER, Role.RESELLER, Role.RESELLER_ADMIN})


class ConfirmationNotFound(NotFound):
    """No transfer confirmation with that id is visible to the caller."""


class PaymentRefused(DataError):
    """The confirmation or review request is not acceptable; the message says which field."""


class AlreadyReviewed(Conflict):
    """Finance already confirmed or rejected this transfer confirmation."""


def proofs_dir(home: Path) -> Path:
    """Outside any web root: only the proof route reads it, after the access check."""
    return home / "private" / "payment-proofs"


@dataclass(frozen=True)
class TransferClaim:
    invoice_number: str
    bank: str
    account_holder: str
    transfer_date: dt.date
    amount: Decimal


def parse_amount(raw: Any, field: str = "amount", lang: str = "en") -> Decimal:
    """An amount as the person typed it in ``lang`` (``1.446.476,00``/``391.002`` in Indonesian)."""
    try:
        value = parse_decimal(raw, lang)
    except DataError as exc:  # the same message (and message id), as a refused payment
        raise PaymentRefused(exc.template, hint=exc.hint_template, **exc.context) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise PaymentRefused(
            "{field} must be a positive amount with at most 2 decimals, got {value}",
            field=field,
            value=repr(raw),
        )
    return value


def check_claim(order: Order, claim: TransferClaim, today: dt.date) -> None:
    problems = []
    if order.state not in PAYABLE:
        problems.append(
            problem(
                "order",
                "order #{order_id} is {state}: it takes no payment now",
                order_id=order.id,
                state=order.state,
            )
        )
    if claim.invoice_number.strip() != (order.invoice_number or ""):
        problems.append(
            problem(
                "invoice_number",
                "invoice number {given} is not this order's ({invoice})",
                given=repr(claim.invoice_number),
                invoice=order.invoice_number,
            )
        )
    if not claim.bank.strip():
        problems.append(problem("bank", "the bank you transferred from is missing"))
    if not claim.account_holder.strip():
        problems.append(problem("account_holder", "the account holder is missing"))
    if claim.transfer_date > today + dt.timedelta(days=1):
        problems.append(
            problem(
                "transfer_date", "transfer date {date} is in the future", date=claim.transfer_date
            )
        )
    if claim.amount <= 0:
        problems.append(problem("amount", "the amount must be positive"))
    if problems:
        raise PaymentRefused(
            "the transfer confirmation has {count} problem(s)",
            hint="correct the form and send it again",
            problems=problems,
            count=len(problems),
        )


def submit(
    session: Session, principal: Principal, order_id: int, claim: TransferClaim, proof: StoredProof
) -> TransferConfirmation:
    """Record a reseller's confirmation; the proof file is already stored (the caller removes it on error)."""
    order = get_order(session, principal, order_id, lock=True)
    require_enabled(session, order.reseller_id)
    check_claim(order, claim, utcnow().date())
    conf = TransferConfirmation(
        order_id=order.id,
        reseller_id=order.reseller_id,
        invoice_number=claim.invoice_number.strip(),
        bank=claim.bank.strip()[:60],
        account_holder=claim.account_holder.strip()[:120],
        transfer_date=claim.transfer_date,
        amount=claim.amount,
        proof_name=proof.name,
        proof_type=proof.mime,
        proof_size=proof.size,
        status="pending",
        reason="",
        reviewed_by="",
        submitted_by=principal.username or f"token:{principal.token_id}",
    )
    session.add(conf)
    order.pending_proofs += 1
    session.flush()
    record(
        session,
        principal,
        "payment.submit",
        "payment",
        conf.id,
        None,
        {"order_id": order.id, "amount": str(claim.amount)},
    )
    return conf


def _pending(session: Session, order: Order, confirmation_id: int) -> TransferConfirmation:
    stmt = select(TransferConfirmation).where(TransferConfirmation.id == confirmation_id)
    conf = session.execute(stmt).scalar()
    if conf is None or conf.order_id != order.id:
        raise ConfirmationNotFound(
            "no transfer confirmation #{confirmation_id}", confirmation_id=confirmation_id
        )
    if conf.status != "pending":
        raise AlreadyReviewed(
            "confirmation #{confirmation_id} was already {status}",
            hint="refresh the review queue",
            confirmation_id=confirmation_id,
            status=conf.status,
        )
    return conf


def _order_of(session: Session, confirmation_id: int) -> Order:
    order_id = session.execute(
        select(TransferConfirmation.order_id).where(TransferConfirmation.id == confirmation_id)
    ).scalar()
    if order_id is None:
        raise ConfirmationNotFound(
            "no transfer confirmation #{confirmation_id}", confirmation_id=confirmation_id
        )
    return get_order(session, None, order_id, lock=True)


def confirm(
    session: Session,
    principal: Principal,
    confirmation_id: int,
    received_amount: Optional[Decimal] = None,
) -> TransferConfirmation:
    """Finance saw the money: credit ``received_amount`` (default: the claimed amount) to the order."""
    order = _order_of(session, confirmation_id)
    conf = _pending(session, order, confirmation_id)
    received = conf.amount if received_amount is None else received_amount
    if received <= 0:
        raise PaymentRefused(
            "the received amount must be positive; reject the confirmation instead"
        )
    order.pending_proofs -= 1
    book_payment(session, principal, order, Decimal(received))
    conf.status, conf.received_amount = "confirmed", Decimal(received)
    conf.reviewed_by, conf.reviewed_at = principal.username, utcnow()
    session.flush()
    record(
        session,
        principal,
        "payment.confirm",
        "payment",
        conf.id,
        {"status": "pending"},
        {"status": "confirmed", "received_amount": str(received), "order_state": order.state},
    )
    notify(
        session,
        order.reseller_id,
        "payment_received",
        {"order_id": order.id, "amount": received, "due": order.amount_due},
    )
    return conf


def reject(
    session: Session, principal: Principal, confirmation_id: int, reason: str
) -> TransferConfirmation:
    """Finance did not find the transfer (or the proof is wrong): the reseller is told why."""
    reason = reason.strip()
    if len(reason) < 3:
        raise PaymentRefused("a rejection needs a reason the reseller can act on")
    order = _order_of(session, confirmation_id)
    conf = _pending(session, order, confirmation_id)
    order.pending_proofs -= 1
    conf.status, conf.reason = "rejected", reason[:2000]
    conf.reviewed_by, conf.reviewed_at = principal.username, utcnow()
    session.flush()
    record(
        session,
        principal,
        "payment.reject",
        "payment",
        conf.id,
        {"status": "pending"},
        {"status": "rejected", "reason": conf.reason},
    )
    notify(
        session,
        order.reseller_id,
        "payment_rejected",
        {"order_id": order.id, "reason": conf.reason},
    )
    return conf


def queue(
    session: Session, status: str = "pending", limit: int = 100
) -> list[TransferConfirmation]:
    stmt = (
        select(TransferConfirmation)
        .where(TransferConfirmation.status == status)
        .order_by(TransferConfirmation.id)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def for_order(session: Session, principal: Principal, order_id: int) -> list[TransferConfirmation]:
    get_order(session, principal, order_id)
    return list(
        session.execute(
            select(TransferConfirmation)
            .where(TransferConfirmation.order_id == order_id)
            .order_by(TransferConfirmation.id)
        ).scalars()
    )


def visible(session: Session, principal: Principal, confirmation_id: int) -> TransferConfirmation:
    """A confirmation for its own reseller, finance or the owner — for anyone else it does not exist."""
    stmt = restrict(
        select(TransferConfirmation).where(TransferConfirmation.id == confirmation_id),
        principal,
        TransferConfirmation.reseller_id,
    )
    conf = session.execute(stmt).scalar()
    if conf is None or principal.role not in PROOF_VIEWERS:
        raise ConfirmationNotFound(
            "no transfer confirmation #{confirmation_id}", confirmation_id=confirmation_id
        )
    return conf
