"""Payment pages: the reseller's transfer proof (on its order page) and finance's review queue.

Rules live in :mod:`hub.payments.service`; the proof file is checked by its content
(:mod:`hub.payments.proofs`) and removed again when the confirmation is refused, so a
bad upload leaves nothing behind. A refused proof re-renders the order page with the
message and the values typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require
from hub.core.errors import describe, status_of
from hub.core.i18n import parse_date
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.core.templating import language, render
from hub.orders.models import Order
from hub.orders.pages import extend_order_page, render_order, write
from hub.payments import proofs, service
from hub.payments.receipts import receipts_of
from shared.errors import DataError, NotFound, SyncHubError

router = APIRouter(include_in_schema=False)
FINANCE = (Role.OWNER, Role.FINANCE)
Message = tuple[str, dict[str, Any]]

nav.register(nav.NavItem("Payments", "/payments", frozenset(FINANCE), order=50))


@extend_order_page
def _proofs_on_order_page(session: Session, principal: Principal, order: Order) -> dict[str, Any]:
    """The order page shows the proofs sent, a receipt for each confirmed one, and the proof
    form while money is due."""
    return {
        "confirmations": service.for_order(session, principal, order.id),
        "receipts": receipts_of(session, order),
        "payable": order.state in service.PAYABLE,
    }


def _date(raw: str, lang: str) -> dt.date:
    try:
        return parse_date(raw, lang)
    except DataError as exc:
        raise service.PaymentRefused(exc.template, hint=exc.hint_template, **exc.context) from None


@router.post(
    "/portal/orders/{order_id}/payments",
    dependencies=[require(*RESELLER_ROLES)],
    max_body_size=proofs.MAX_PROOF_BYTES + 64 * 1024,
)
def send_proof(
    order_id: RowId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    proof: Optional[UploadFile] = None,
    invoice_number: str = Form(""),
    bank: str = Form(""),
    account_holder: str = Form(""),
    transfer_date: str = Form(""),
    amount: str = Form(""),
) -> Response:
    """The reseller transferred: bank, holder, date, amount and a proof (PNG, JPEG or PDF)."""
    form = {
        "bank": bank,
        "account_holder": account_holder,
        "transfer_date": transfer_date,
        "amount": amount,
    }
    directory = service.proofs_dir(settings.home)
    lang = language(request)
    stored: Optional[proofs.StoredProof] = None
    try:
        claim = service.TransferClaim(
            invoice_number,
            bank,
            account_holder,
            _date(transfer_date, lang),
            service.parse_amount(amount, lang=lang),
        )
        if proof is None or not proof.filename:
            raise proofs.ProofRefused(
                "no proof file was attached", hint="choose the photo or PDF of the transfer"
            )
        stored = proofs.store(proof.file, directory)
        kept = stored
        write(request, session, lambda s: service.submit(s, principal, order_id, claim, kept))
    except SyncHubError as exc:
        if stored is not None:
            proofs.remove(directory, stored.name)
        if isinstance(exc, NotFound):
            raise
        return render_order(
            request,
            session,
            principal,
            order_id,
            error=exc,
            form=form,
            status=status_of(exc),
        )
    return render_order(
        request,
        session,
        principal,
        order_id,
        message=("Thank you: finance will check your transfer.", {}),
    )


def _queue(
    request: Request,
    session: Session,
    *,
    message: Optional[Message] = None,
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    pending = service.queue(session, "pending", limit=500)
    ids = {c.order_id for c in pending}
    orders = (
        {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(ids)))} if ids else {}
    )
    return render(
        request,
        "payments_queue.html",
        {
            "rows": [(c, orders.get(c.order_id)) for c in pending],
            "message": message,
            "error": error,
        },
        status_code=status,
    )


@router.get("/payments", dependencies=[require(*FINANCE)])
def review_queue(request: Request, session: SessionDep) -> Response:
    """Transfers to compare with the bank statement, oldest first, with their proofs."""
    return _queue(request, session)


def _review(
    request: Request, session: Session, confirmation_id: int, work: Any, done: str
) -> Response:
    try:
        write(request, session, work)
    except NotFound:
        raise
    except SyncHubError as exc:
        error = f"#{confirmation_id}: {describe(request, exc)}"
        return _queue(request, session, error=error, status=status_of(exc))
    return _queue(request, session, message=(done, {"id": confirmation_id}))


@router.post("/payments/{confirmation_id}/confirm", dependencies=[require(*FINANCE)])
def confirm(
    confirmation_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    received_amount: str = Form(""),
) -> Response:
    """The money arrived: credit what arrived (empty = the amount claimed)."""

    def work(s: Session) -> Any:
        received = (
            service.parse_amount(received_amount, "received amount", language(request))
            if received_amount.strip()
            else None
        )
        return service.confirm(s, principal, confirmation_id, received)

    return _review(request, session, confirmation_id, work, "Transfer #{id} confirmed.")


@router.post("/payments/{confirmation_id}/reject", dependencies=[require(*FINANCE)])
def reject(
    confirmation_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    reason: str = Form(""),
) -> Response:
    """The transfer was not found or the proof is wrong: the reseller sees the reason."""
    return _review(
        request,
        session,
        confirmation_id,
        lambda s: service.reject(s, principal, confirmation_id, reason),
        "Transfer #{id} rejected.",
    )
