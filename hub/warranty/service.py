"""Warranty claims: filing (the warranty checked from the unit's shipment), the repair desk's
steps, the unrepairable log, and the timeline the reseller sees.

Every step writes a :class:`~hub.warranty.models.ClaimEvent` (public words for the reseller,
internal notes for staff), a line in the unit's history (``hub.inventory.serials``) and a
notification to the reseller's contacts, all in the caller's transaction. A reseller only
ever reads its own claims (``restrict``); another reseller's claim id is simply not found.
Nothing here commits.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.i18n import DISPLAY_TZ, Formatter, translatable
from hub.core.roles import Principal, restrict
from hub.inventory import bins, serials
from hub.inventory import service as stock
from hub.inventory.models import Serial
from hub.notifications.service import notify
from hub.orders.models import Order
from hub.payments.proofs import StoredProof
from hub.purchasing.numbering import next_number
from hub.purchasing.query import paged
from hub.purchasing.service import actor_of, who
from hub.warranty.lifecycle import (
    ANSWER_WORDS,
    CLAIM,
    OPEN_CLAIM,
    OPEN_SUPPLIER_CLAIM,
    STATE_WORDS,
    STEP_WORDS,
)
from hub.warranty.models import Claim, ClaimEvent, ClaimPhoto, SupplierClaim, Unrepairable
from hub.warranty.schemas import ClaimCreate, ClaimStepIn
from shared.errors import Conflict, DataError, NotFound

MAX_PHOTOS = 8
DISPOSITIONS = ("scrapped", "to_supplier")


def today() -> dt.date:
    return utcnow().astimezone(DISPLAY_TZ).date()


def warranty_end(shipped_on: dt.date, months: int) -> dt.date:
    """The last day of warranty: the shipment date plus ``months`` calendar months (the 31st
    of a shorter month becomes its last day)."""
    y, m = divmod(shipped_on.month - 1 + months, 12)
    year, month = shipped_on.year + y, m + 1
    return dt.date(year, month, min(shipped_on.day, calendar.monthrange(year, month)[1]))


def get_claim(
    session: Session, principal: Principal, claim_id: int, *, lock: bool = False
) -> Claim:
    """The claim if the principal may see it (a reseller: only its own); NotFound otherwise."""
    stmt = restrict(select(Claim).where(Claim.id == claim_id), principal, Claim.reseller_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    claim = session.execute(stmt).scalar()
    if claim is None:
        raise translatable(
            NotFound, "no warranty claim #{id}", "see your warranty claims", id=claim_id
        )
    return claim


def list_claims(
    session: Session,
    principal: Principal,
    *,
    state: Optional[str] = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Claim], int]:
    stmt = restrict(select(Claim), principal, Claim.reseller_id)
    if state:
        stmt = stmt.where(Claim.state == state)
    return paged(session, stmt, [Claim.id.desc()], limit, offset)


def step(
    session: Session,
    claim: Claim,
    event: str,
    principal: Optional[Principal],
    *,
    note: str = "",
    internal: str = "",
) -> ClaimEvent:
    """Write one step of the claim's timeline and tell the reseller (in each contact's language)."""
    e = ClaimEvent(
        claim_id=claim.id,
        at=utcnow(),
        event=event,
        state=claim.state,
        note=note,
        internal=internal,
        actor=who(principal),
    )
    session.add(e)
    words = STEP_WORDS[event]
    said = ANSWER_WORDS.get(note, note) if event == "supplier_answer" else note
    notify(
        session,
        claim.reseller_id,
        "warranty_update",
        {
            "number": claim.number,
            "step_id": Formatter("id").gettext(words),
            "step_en": words,
            "state_id": Formatter("id").gettext(STATE_WORDS[claim.state]),
            "state_en": STATE_WORDS[claim.state],
            "note_id": Formatter("id").gettext(said) if said else "-",
            "note_en": said or "-",
        },
    )
    session.flush()
    return e


def _unit(session: Session, claim: Claim) -> Serial:
    unit = session.get(Serial, claim.serial_id)
    assert unit is not None  # a foreign key
    return unit


def file_claim(
    session: Session, principal: Principal, data: ClaimCreate, *, on: Optional[dt.date] = None
) -> Claim:
    """A reseller claims warranty on one unit it received. Refused, with the reason, when the
    unit was not shipped to this reseller, has no warranty, or its warranty has ended."""
    if principal.reseller_id is None:
        raise DataError(
            "only a reseller files warranty claims", hint="sign in as the reseller's user"
        )
    on = on or today()
    text = serials.normalise(data.serial)
    units = list(
        session.scalars(
            restrict(select(Serial).where(Serial.serial == text), principal, Serial.reseller_id)
        )
    )
    sku = data.sku.strip()
    products = {
        p.id: p
        for p in session.scalars(
            select(Product).where(Product.id.in_([u.product_id for u in units]))
        )
    }
    if sku:
        units = [u for u in units if products[u.product_id].sku == sku]
    if not units:
        raise translatable(
            NotFound,
            "no unit with serial {serial} was shipped to you",
            "type the serial number exactly as on the unit's label (and check the product)",
            serial=f"{text!r}{f' ({sku})' if sku else ''}",
        )
    if len(units) > 1:
        raise translatable(
            DataError,
            "serial {serial} is on more than one product",
            "choose the product (SKU) too",
            serial=repr(text),
        )
    unit, product = units[0], products[units[0].product_id]
    open_ = session.scalar(
        select(Claim.number).where(Claim.serial_id == unit.id, Claim.state.in_(sorted(OPEN_CLAIM)))
    )
    if open_:
        raise translatable(
            Conflict,
            "serial {serial} already has an open claim, {number}",
            "follow that claim instead",
            serial=text,
            number=open_,
        )
    if unit.state != serials.SHIPPED or unit.shipped_at is None:
        raise translatable(
            Conflict, "serial {serial} is not with you now", "ask the repair team", serial=text
        )
    if product.warranty_months <= 0:
        raise translatable(
            DataError,
            "{sku} has no warranty",
            "repairs outside warranty: contact the distributor",
            sku=product.sku,
        )
    shipped_on = unit.shipped_at.astimezone(DISPLAY_TZ).date()
    until = warranty_end(shipped_on, product.warranty_months)
    if on > until:
        raise translatable(
            DataError,
            "the warranty of serial {serial} ended on {until} ({months} months from its "
            "shipment on {shipped})",
            "repairs outside warranty: contact the distributor",
            serial=text,
            until=until.isoformat(),
            months=product.warranty_months,
            shipped=shipped_on.isoformat(),
        )
    order = session.get(Order, unit.order_id) if unit.order_id else None
    invoice = (order.invoice_number or "") if order else ""
    given = data.invoice_number.strip()
    if given and given != invoice:
        raise translatable(
            DataError,
            "invoice {given} is not the one serial {serial} was shipped with ({invoice})",
            "leave the invoice empty or copy it from the order",
            given=repr(given),
            serial=text,
            invoice=invoice or "-",
        )
    problem = data.problem.strip()
    if len(problem) < 10:
        raise DataError(
            "describe the problem in a few words (at least 10 characters)",
            hint="what happens, since when",
        )
    claim = Claim(
        number=next_number(session, "RMA"),
        reseller_id=principal.reseller_id,
        product_id=product.id,
        serial_id=unit.id,
        serial=unit.serial,
        order_id=unit.order_id,
        invoice_number=invoice,
        shipped_on=shipped_on,
        warranty_until=until,
        problem=problem,
        state="submitted",
        filed_by=who(principal),
    )
    session.add(claim)
    session.flush()
    serials.move(
        session, unit, "claimed", reference=claim.number, actor=who(principal), note=problem[:200]
    )
    step(session, claim, "file", principal, note=problem[:500])
    record(
        session,
        principal,
        "warranty.file",
        "warranty_claim",
        claim.id,
        None,
        {"serial": unit.serial},
    )
    return claim


def add_photo(
    session: Session, principal: Principal, claim: Claim, stored: StoredProof
) -> ClaimPhoto:
    if len(claim.photos) >= MAX_PHOTOS:
        raise translatable(
            DataError, "a claim takes at most {n} photos", "choose the clearest ones", n=MAX_PHOTOS
        )
    if claim.state not in OPEN_CLAIM:
        raise translatable(
            Conflict, "{number} is closed: it takes no more photos", number=claim.number
        )
    photo = ClaimPhoto(
        claim_id=claim.id,
        name=stored.name,
        mime=stored.mime,
        size=stored.size,
        uploaded_by=who(principal),
    )
    session.add(photo)
    session.flush()
    session.refresh(claim, ["photos"])
    return photo


def _require(value: str, what: str, hint: str, shortest: int = 3) -> str:
    if len(value.strip()) < shortest:
        raise DataError(what + " is needed", hint=hint)  # "photo is needed": its own message id
    return value.strip()


def _ship_back(claim: Claim, data: ClaimStepIn) -> None:
    claim.courier = _require(data.courier, "the courier", "e.g. JNE", 1)[:40]
    claim.waybill = _require(data.waybill, "the waybill number", "the courier's receipt", 1)[:60]


def _replace(session: Session, principal: Principal, claim: Claim, data: ClaimStepIn) -> str:
    """Ship a unit of the same product from stock; the defective one stays at the hub."""
    unit = _unit(session, claim)
    if not data.replacement_serial.strip():
        raise DataError(
            "scan the serial number of the replacement unit", hint="it must be in stock"
        )
    new = serials.find(session, data.replacement_serial, claim.product_id)
    if new.state != serials.IN_STOCK:
        raise Conflict(
            "serial {serial} is {state}, not in stock",
            hint="take another unit from the shelf",
            serial=new.serial,
            state=new.state,
        )
    where = data.warehouse_id or new.warehouse_id or bins.default_warehouse(session)
    try:
        stock.issue(session, {claim.product_id: 1}, warehouse_id=where)
    except stock.InsufficientStock as exc:
        raise Conflict(
            "no unit of product #{product_id} is free in stock: {reason}",
            hint="wait for a receipt, or pass the case to the supplier first",
            product_id=claim.product_id,
            reason=exc.message,
        ) from None
    now = utcnow()
    new.order_id, new.reseller_id, new.shipped_at, new.warehouse_id = (
        None,
        claim.reseller_id,
        now,
        None,
    )
    serials.move(
        session,
        new,
        "shipped",
        reference=claim.number,
        actor=who(principal),
        reseller_id=claim.reseller_id,
        note=f"replaces {unit.serial}",
        at=now,
    )
    serials.move(
        session,
        unit,
        "replaced",
        reference=claim.number,
        actor=who(principal),
        note=f"replaced by {new.serial}",
    )
    claim.replacement_serial_id = new.id
    return new.serial


def fire(
    session: Session, principal: Principal, claim_id: int, event: str, data: ClaimStepIn
) -> Claim:
    """receive, inspect (findings), repair / replace (shipment back), refuse (reason), close, cancel."""
    claim = get_claim(session, principal, claim_id, lock=True)
    move = CLAIM.check(claim.state, event, actor_of(principal))
    unit, actor = _unit(session, claim), who(principal)
    note = internal = ""
    if event == "receive":
        serials.move(session, unit, "returned", reference=claim.number, actor=actor)
    elif event == "inspect":
        claim.findings = _require(
            data.findings, "what the inspection found", "describe the fault you found"
        )
        note = claim.findings
    elif event in ("repair", "replace"):
        claim.resolution_note = data.note.strip()
        _ship_back(claim, data)
        if event == "replace":
            note = f"{_replace(session, principal, claim, data)} · {claim.courier} {claim.waybill}"
        else:
            serials.move(session, unit, "repaired", reference=claim.number, actor=actor)
            note = f"{claim.resolution_note} · {claim.courier} {claim.waybill}".strip(" ·")
    elif event == "refuse":
        claim.resolution_note = _require(
            data.reason, "the reason of the refusal", "e.g. physical damage"
        )
        note = claim.resolution_note
        if unit.state == serials.RETURNED:  # the goods are here: they go back to the reseller
            _ship_back(claim, data)
            serials.move(session, unit, "refused", reference=claim.number, actor=actor)
            note = f"{note} · {claim.courier} {claim.waybill}"
    elif event == "close":
        _check_closable(session, claim)
    elif event == "cancel":
        note = data.reason.strip()
    claim.state = move.target
    step(session, claim, event, principal, note=note, internal=internal)
    record(
        session,
        principal,
        f"warranty.{event}",
        "warranty_claim",
        claim.id,
        None,
        {"state": claim.state},
    )
    return claim


def _check_closable(session: Session, claim: Claim) -> None:
    open_ = session.scalar(
        select(SupplierClaim.number).where(
            SupplierClaim.claim_id == claim.id, SupplierClaim.state.in_(sorted(OPEN_SUPPLIER_CLAIM))
        )
    )
    if open_:
        raise Conflict(
            "{number} waits for supplier claim {supplier_claim}",
            hint="it closes by itself when the supplier's part is settled",
            number=claim.number,
            supplier_claim=open_,
        )


def close_if_settled(session: Session, claim: Claim) -> bool:
    """Back-to-back: once the supplier's part is settled, a resolved claim closes itself."""
    if claim.state not in ("repaired", "replaced", "refused"):
        return False
    try:
        _check_closable(session, claim)
    except Conflict:
        return False
    claim.state = CLAIM.check(claim.state, "close", "system").target
    step(session, claim, "close", None)
    return True


def log_unrepairable(
    session: Session, principal: Principal, claim_id: int, reason: str, disposition: str
) -> Unrepairable:
    """The returned unit cannot be repaired: logged, then scrapped or kept for the supplier."""
    claim = get_claim(session, principal, claim_id, lock=True)
    unit = _unit(session, claim)
    if disposition not in DISPOSITIONS:
        raise DataError(
            "unknown disposition {disposition}",
            hint="one of: {dispositions}",
            disposition=repr(disposition),
            dispositions=", ".join(DISPOSITIONS),
        )
    if claim.state not in ("inspected", "replaced") or unit.state != serials.RETURNED:
        raise Conflict(
            "{number} is {state} and its unit {unit_state}: only an inspected unit at the hub is logged",
            hint="receive and inspect it first",
            number=claim.number,
            state=claim.state,
            unit_state=unit.state,
        )
    if session.scalar(select(Unrepairable.id).where(Unrepairable.claim_id == claim.id)):
        raise Conflict(
            "the unit of {number} is already in the unrepairable log", number=claim.number
        )
    row = Unrepairable(
        claim_id=claim.id,
        serial_id=unit.id,
        product_id=claim.product_id,
        reason=_require(reason, "why it cannot be repaired", "what is broken beyond repair"),
        disposition=disposition,
        logged_by=who(principal),
    )
    session.add(row)
    if disposition == "scrapped":
        serials.move(
            session, unit, "scrapped", reference=claim.number, actor=who(principal), note=row.reason
        )
    step(session, claim, "unrepairable", principal, note=row.reason)
    record(
        session,
        principal,
        "warranty.unrepairable",
        "warranty_claim",
        claim.id,
        None,
        {"disposition": disposition},
    )
    return row


def unrepairable_log(session: Session, limit: int = 500) -> list[Unrepairable]:
    return list(session.scalars(select(Unrepairable).order_by(Unrepairable.id.desc()).limit(limit)))
