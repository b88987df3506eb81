"""Payment API: instructions, transfer confirmation with proof, finance's review queue, proofs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Form, Header, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from hub.core.deps import RowId, SessionDep, SettingsDep, require
from hub.core.roles import STAFF, Principal, Role
from hub.core.templating import language
from hub.orders.documents import receipt_pdf
from hub.orders.http import factory_of, owner_key
from hub.orders.idempotency import run_once
from hub.orders.papers import papers_for
from hub.orders.service import get_order
from hub.orders.terms import instructions
from hub.payments import proofs, service
from hub.payments.models import TransferConfirmation
from hub.payments.receipts import receipt_for
from shared.errors import SyncHubError

router = APIRouter(tags=["payments"])
RESELLERS = (Role.RESELLER, Role.RESELLER_ADMIN)
FINANCE = (Role.FINANCE, Role.OWNER)
Payer = Annotated[Principal, require(*RESELLERS, Role.OWNER, Role.OPERATIONS)]
Finance = Annotated[Principal, require(*FINANCE)]
Viewer = Annotated[Principal, require(*STAFF, *RESELLERS)]
ProofViewer = Annotated[Principal, require(*FINANCE, *RESELLERS)]
IdemKey = Annotated[Optional[str], Header(alias="Idempotency-Key")]


class ConfirmIn(BaseModel):
    received_amount: Optional[Decimal] = None


class RejectIn(BaseModel):
    reason: str


def confirmation_json(c: TransferConfirmation) -> dict[str, Any]:
    return {
        "id": c.id,
        "order_id": c.order_id,
        "reseller_id": c.reseller_id,
        "invoice_number": c.invoice_number,
        "bank": c.bank,
        "account_holder": c.account_holder,
        "transfer_date": c.transfer_date.isoformat(),
        "amount": str(c.amount),
        "received_amount": None if c.received_amount is None else str(c.received_amount),
        "status": c.status,
        "reason": c.reason,
        "proof_type": c.proof_type,
        "proof_size": c.proof_size,
        "proof_url": f"/api/v1/payments/{c.id}/proof",
        "created_at": c.created_at.isoformat(),
        "reviewed_by": c.reviewed_by,
    }


@router.get("/api/v1/orders/{order_id}/payment")
def payment_info(
    order_id: RowId, session: SessionDep, settings: SettingsDep, principal: Viewer
) -> dict[str, Any]:
    """Where and how much to transfer, what is paid and due, and the confirmations sent."""
    order = get_order(session, principal, order_id)
    confs = service.for_order(session, principal, order_id)
    return {
        **instructions(order, settings.bank),
        "order_state": order.state,
        "confirmations": [confirmation_json(c) for c in confs],
    }


@router.post(
    "/api/v1/orders/{order_id}/payments",
    status_code=201,
    max_body_size=proofs.MAX_PROOF_BYTES + 64 * 1024,
)
async def confirm_transfer(
    order_id: RowId,
    request: Request,
    settings: SettingsDep,
    principal: Payer,
    proof: UploadFile,
    invoice_number: Annotated[str, Form()],
    bank: Annotated[str, Form()],
    account_holder: Annotated[str, Form()],
    transfer_date: Annotated[dt.date, Form()],
    amount: Annotated[str, Form()],
    key: IdemKey = None,
) -> JSONResponse:
    """The reseller says it transferred: invoice number, bank, holder, date, amount and a proof (PNG/JPEG/PDF)."""
    length = int(request.headers.get("content-length") or 0)
    if length > proofs.MAX_PROOF_BYTES + 64 * 1024:
        raise proofs.too_large()
    directory = service.proofs_dir(settings.home)
    claim = service.TransferClaim(
        invoice_number, bank, account_holder, transfer_date, service.parse_amount(amount)
    )
    stored = proofs.store(proof.file, directory)
    payload = {
        "order": order_id,
        "invoice": invoice_number,
        "bank": bank,
        "holder": account_holder,
        "date": transfer_date.isoformat(),
        "amount": amount,
        "proof_size": stored.size,
    }
    try:
        out = run_once(
            factory_of(request),
            scope="payment.confirm",
            owner=owner_key(principal),
            key=key,
            payload=payload,
            work=lambda s: confirmation_json(service.submit(s, principal, order_id, claim, stored)),
        )
    except SyncHubError:
        proofs.remove(directory, stored.name)  # nothing stored half-way
        raise
    if out.replayed:
        proofs.remove(directory, stored.name)
    return JSONResponse(
        out.body, out.status_code, headers={"Idempotent-Replayed": str(out.replayed).lower()}
    )


@router.get("/api/v1/payments/queue")
def review_queue(
    session: SessionDep, principal: Finance, status: str = "pending"
) -> dict[str, Any]:
    """Finance's queue: transfers to compare with the bank statement, oldest first."""
    data = [confirmation_json(c) for c in service.queue(session, status)]
    return {"data": data, "count": len(data)}


def _review(
    request: Request,
    principal: Principal,
    key: Optional[str],
    confirmation_id: RowId,
    payload: Any,
    action: Any,
) -> JSONResponse:
    out = run_once(
        factory_of(request),
        scope="payment.review",
        owner=owner_key(principal),
        key=key,
        payload={"id": confirmation_id, **payload},
        status_code=200,
        work=lambda s: confirmation_json(action(s)),
    )
    return JSONResponse(out.body, out.status_code)


@router.post("/api/v1/payments/{confirmation_id}/confirm")
def confirm(
    confirmation_id: RowId,
    request: Request,
    principal: Finance,
    body: Optional[ConfirmIn] = None,
    key: IdemKey = None,
) -> JSONResponse:
    """Finance found the money: credit what arrived (default: the amount claimed)."""
    received = body.received_amount if body else None
    return _review(
        request,
        principal,
        key,
        confirmation_id,
        {"received": str(received)},
        lambda s: service.confirm(s, principal, confirmation_id, received),
    )


@router.post("/api/v1/payments/{confirmation_id}/reject")
def reject(
    confirmation_id: RowId,
    body: RejectIn,
    request: Request,
    principal: Finance,
    key: IdemKey = None,
) -> JSONResponse:
    """Finance did not find the transfer: reject with a reason the reseller sees."""
    return _review(
        request,
        principal,
        key,
        confirmation_id,
        {"reason": body.reason},
        lambda s: service.reject(s, principal, confirmation_id, body.reason),
    )


@router.get("/api/v1/payments/{confirmation_id}/proof", response_class=FileResponse)
def proof_file(
    confirmation_id: RowId, session: SessionDep, settings: SettingsDep, principal: ProofViewer
) -> FileResponse:
    """The proof file, only to its own reseller and to finance."""
    conf = service.visible(session, principal, confirmation_id)
    path = proofs.path_of(service.proofs_dir(settings.home), conf.proof_name)
    return FileResponse(
        path,
        media_type=conf.proof_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@router.get("/api/v1/payments/{confirmation_id}/receipt.pdf", response_class=Response)
def receipt(
    confirmation_id: RowId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: ProofViewer,
) -> Response:
    """The receipt (kuitansi) of a confirmed payment as PDF, in the reader's language."""
    order, kuitansi = receipt_for(session, principal, confirmation_id)
    body = receipt_pdf(
        order, kuitansi, papers_for(session, order, settings, language(request, negotiate=False))
    )
    name = kuitansi.number.replace("/", "-")
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
