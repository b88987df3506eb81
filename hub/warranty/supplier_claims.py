"""Back-to-back warranty: the defective unit claimed from the supplier that supplied it.

Opened from an inspected (or already replaced) claim whose unit is back at the hub; sent
(the unit leaves to the supplier, who gets an e-mail); answered with a credit note (booked
in payables against that supplier), a replacement unit (received into stock with its
serial) or a refusal; closed — which closes the reseller's claim too when it was resolved
meanwhile. The reseller's timeline shows each step in words, never amounts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.roles import Principal
from hub.inventory import bins, serials
from hub.inventory import service as stock
from hub.inventory.models import Serial
from hub.notifications.service import notify_address
from hub.payments.proofs import StoredProof
from hub.purchasing import payables
from hub.purchasing.numbering import next_number
from hub.purchasing.query import paged
from hub.purchasing.schemas import CreditNoteIn
from hub.purchasing.service import actor_of, who
from hub.purchasing.suppliers import get_supplier
from hub.warranty import service
from hub.warranty.lifecycle import ANSWERS, OPEN_SUPPLIER_CLAIM, SUPPLIER_CLAIM
from hub.warranty.models import Claim, SupplierClaim, SupplierClaimDocument
from hub.warranty.schemas import SupplierStepIn
from shared.errors import Conflict, DataError, NotFound

MAX_DOCUMENTS = 10


def get(session: Session, sc_id: int, *, lock: bool = False) -> SupplierClaim:
    stmt = select(SupplierClaim).where(SupplierClaim.id == sc_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    sc = session.execute(stmt).scalar()
    if sc is None:
        raise NotFound(
            "no supplier claim #{sc_id}", hint="see the claim it belongs to", sc_id=sc_id
        )
    return sc


def of_claim(session: Session, claim_id: int) -> list[SupplierClaim]:
    return list(
        session.scalars(
            select(SupplierClaim)
            .where(SupplierClaim.claim_id == claim_id)
            .order_by(SupplierClaim.id)
        )
    )


def list_all(
    session: Session, *, state: Optional[str] = None, limit: int = 100, offset: int = 0
) -> tuple[list[SupplierClaim], int]:
    stmt = select(SupplierClaim)
    if state:
        stmt = stmt.where(SupplierClaim.state == state)
    return paged(session, stmt, [SupplierClaim.id.desc()], limit, offset)


def open_claim(
    session: Session,
    principal: Principal,
    claim_id: int,
    supplier_id: Optional[int] = None,
    note: str = "",
) -> SupplierClaim:
    """A draft supplier claim for the claim's defective unit (default: the supplier it came from)."""
    claim = service.get_claim(session, principal, claim_id, lock=True)
    unit = session.get(Serial, claim.serial_id)
    assert unit is not None
    if claim.state not in ("inspected", "replaced") or unit.state not in (
        serials.RETURNED,
        serials.SCRAPPED,
    ):
        raise Conflict(
            "{number} is {state} and its unit {unit_state}: the supplier gets a unit that is back here",
            hint="receive and inspect the unit first",
            number=claim.number,
            state=claim.state,
            unit_state=unit.state,
        )
    if session.scalar(
        select(SupplierClaim.number).where(
            SupplierClaim.claim_id == claim.id, SupplierClaim.state.in_(sorted(OPEN_SUPPLIER_CLAIM))
        )
    ):
        raise Conflict(
            "{number} already has an open supplier claim",
            hint="follow that one",
            number=claim.number,
        )
    supplier = (
        get_supplier(session, supplier_id or unit.supplier_id or 0)
        if (supplier_id or unit.supplier_id)
        else None
    )
    if supplier is None:
        raise DataError(
            "serial {serial} has no known supplier (received before purchasing was used)",
            hint="choose the supplier",
            serial=unit.serial,
        )
    sc = SupplierClaim(
        number=next_number(session, "SC"),
        claim_id=claim.id,
        supplier_id=supplier.id,
        state="draft",
        note=note.strip(),
        created_by=who(principal),
    )
    session.add(sc)
    session.flush()
    record(
        session,
        principal,
        "supplier_claim.open",
        "supplier_claim",
        sc.id,
        None,
        {"claim": claim.number},
    )
    return sc


def _send(
    session: Session, principal: Principal, sc: SupplierClaim, claim: Claim, unit: Serial
) -> None:
    serials.move(session, unit, "to_supplier", reference=sc.number, actor=who(principal))
    sc.sent_at = utcnow()
    supplier = get_supplier(session, sc.supplier_id)
    product = session.get(Product, claim.product_id)
    if supplier.email:
        notify_address(
            session,
            supplier.email,
            "supplier_claim",
            {
                "number": sc.number,
                "supplier": supplier.legal_name,
                "product": f"{product.sku} {product.name}" if product else str(claim.product_id),
                "serial": unit.serial,
                "problem": claim.findings or claim.problem,
            },
        )
    service.step(
        session, claim, "supplier_sent", principal, internal=f"{sc.number} → {supplier.code}"
    )


def _answer(
    session: Session,
    principal: Principal,
    sc: SupplierClaim,
    claim: Claim,
    unit: Serial,
    data: SupplierStepIn,
) -> None:
    if data.answer not in ANSWERS:
        raise DataError(
            "unknown answer {answer}",
            hint="one of: {answers}",
            answer=repr(data.answer),
            answers=", ".join(ANSWERS),
        )
    sc.answer, sc.answer_note, sc.answered_at = data.answer, data.answer_note.strip(), utcnow()
    internal = ""
    if data.answer == "credit_note":
        if not data.credit_number.strip() or data.credit_amount is None:
            raise DataError(
                "a credit note needs its number and amount",
                hint="copy them from the supplier's note",
            )
        note = payables.add_credit_note(
            session,
            principal,
            CreditNoteIn(
                supplier_id=sc.supplier_id,
                number=data.credit_number,
                issued_on=data.credit_date or service.today(),
                amount=data.credit_amount,
                reference=sc.number,
            ),
        )
        sc.credit_note_id, sc.credit_amount = note.id, Decimal(data.credit_amount)
        internal = f"credit note {note.number}: {note.amount}"
    elif data.answer == "replacement":
        if not data.replacement_serial.strip():
            raise DataError(
                "scan the serial of the unit the supplier sent", hint="it goes into stock"
            )
        where = data.warehouse_id or bins.default_warehouse(session)
        stock.receive(
            session,
            claim.product_id,
            1,
            reference=sc.number,
            received_by=who(principal),
            warehouse_id=where,
        )
        (new,) = serials.register(
            session,
            claim.product_id,
            [data.replacement_serial],
            warehouse_id=where,
            reference=sc.number,
            actor=who(principal),
            supplier_id=sc.supplier_id,
            note=f"supplier's replacement for {unit.serial}",
        )
        sc.replacement_serial_id = new.id
        internal = f"replacement unit {new.serial} into stock"
    elif len(sc.answer_note) < 3:
        raise DataError("write the supplier's reason for refusing", hint="it stays with the case")
    serials.move(
        session,
        unit,
        "supplier_answer",
        reference=sc.number,
        actor=who(principal),
        note=f"{data.answer} {internal}".strip(),
    )
    service.step(
        session,
        claim,
        "supplier_answer",
        principal,
        note=data.answer,  # a word the timeline and the message translate
        internal=internal or sc.answer_note,
    )


def fire(
    session: Session, principal: Principal, sc_id: int, event: str, data: SupplierStepIn
) -> SupplierClaim:
    """send, answer (credit_note / replacement / refusal), close, cancel (a draft)."""
    sc = get(session, sc_id, lock=True)
    move = SUPPLIER_CLAIM.check(sc.state, event, actor_of(principal))
    claim = service.get_claim(session, principal, sc.claim_id, lock=True)
    unit = session.get(Serial, claim.serial_id)
    assert unit is not None
    if event == "send":
        _send(session, principal, sc, claim, unit)
    elif event == "answer":
        _answer(session, principal, sc, claim, unit, data)
    elif event == "cancel":
        sc.reason = data.reason.strip()
    sc.state = move.target
    if event == "close":
        sc.closed_at = utcnow()
        service.step(session, claim, "supplier_closed", principal)
        service.close_if_settled(session, claim)
    session.flush()
    record(
        session,
        principal,
        f"supplier_claim.{event}",
        "supplier_claim",
        sc.id,
        None,
        {"state": sc.state},
    )
    return sc


def add_document(
    session: Session, principal: Principal, sc_id: int, stored: StoredProof, label: str
) -> SupplierClaimDocument:
    sc = get(session, sc_id)
    if len(sc.documents) >= MAX_DOCUMENTS:
        raise DataError(
            "a supplier claim takes at most {max_documents} documents", max_documents=MAX_DOCUMENTS
        )
    doc = SupplierClaimDocument(
        supplier_claim_id=sc.id,
        label=label.strip()[:120],
        name=stored.name,
        mime=stored.mime,
        size=stored.size,
        uploaded_by=who(principal),
    )
    session.add(doc)
    session.flush()
    session.refresh(sc, ["documents"])
    return doc


def credit_total(session: Session) -> Decimal:
    """Credit obtained from suppliers for warranty cases (for reports)."""
    rows = session.scalars(
        select(SupplierClaim.credit_amount).where(SupplierClaim.credit_amount.is_not(None))
    )
    return sum((Decimal(x) for x in rows if x is not None), Decimal(0))
