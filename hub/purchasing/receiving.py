"""Receipts against purchase order lines, into the order's warehouse.

A receipt may be partial (more to come), or go past what was ordered (an over-receipt,
which needs a reason on the line); an order that will stay short is closed with a reason
(:func:`hub.purchasing.service.fire` ``close``). Posting locks the order and its lines
(``FOR UPDATE`` on PostgreSQL, SQLite's write lock otherwise) before it reads what was
received, so two receipts of one line at once can never both pass the ordered quantity.
Posting books the stock into the warehouse's bin, registers serial numbers, spreads the
landed costs (freight, duty, other) over the lines by value and moves the average cost.
A posted receipt can be reversed while its goods are still free in that warehouse.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_DOWN, Decimal
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.inventory import serials as units
from hub.inventory import service as stock
from hub.inventory.models import Serial
from hub.purchasing import costing, payables
from hub.purchasing.lifecycle import RECEIPT, RECEIVABLE_PO
from hub.purchasing.models import CENT, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from hub.purchasing.numbering import next_number
from hub.purchasing.schemas import MAX_AMOUNT, ReceiptCreate
from hub.purchasing.service import actor_of, follow_receipts, get_order, who
from shared.errors import Conflict, DataError, NotFound


class OverReceipt(Conflict):
    """The receipt would take a line past its ordered quantity and gives no reason."""


def allocate(extra: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``extra`` (whole cents) over lines in proportion to ``weights``, summing exactly.

    Largest remainder: every line gets its share rounded down to the cent, the cents left
    go to the lines that lost most (ties: the earlier line). Zero weights everywhere split
    evenly.
    """
    if not weights:
        return []
    total = sum(weights, Decimal(0))
    w = list(weights) if total > 0 else [Decimal(1)] * len(weights)
    total = sum(w, Decimal(0))
    exact = [extra * x / total for x in w]
    shares = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int(((extra - sum(shares, Decimal(0))) / CENT).to_integral_value())
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += CENT
    return shares


def get_receipt(session: Session, receipt_id: int) -> Receipt:
    r = session.get(Receipt, receipt_id)
    if r is None:
        raise NotFound(
            "no receipt #{receipt_id}",
            hint="see the purchase order's receipts",
            receipt_id=receipt_id,
        )
    return r


def _snapshot(r: Receipt) -> dict[str, object]:
    return {
        "state": r.state,
        "lines": [(ln.order_line_id, ln.quantity, ln.landed_total) for ln in r.lines],
    }


def create_receipt(
    session: Session, principal: Optional[Principal], po_id: int, data: ReceiptCreate
) -> Receipt:
    """A receipt (draft, or posted at once when ``data.post``) for the order's warehouse."""
    po = get_order(session, po_id, lock=True)
    if po.state not in RECEIVABLE_PO:
        raise Conflict(
            "{number} is {state}: goods can be received once it is sent",
            hint="send the purchase order first" if po.state in ("draft", "approved") else None,
            number=po.number,
            state=po.state,
        )
    mine = {ln.id for ln in po.lines}
    foreign = [ln.order_line_id for ln in data.lines if ln.order_line_id not in mine]
    if foreign:
        raise DataError(
            "lines {foreign} are not lines of {number}",
            hint="reload the order",
            foreign=foreign,
            number=po.number,
        )
    twice = sorted(k for k, n in Counter(ln.order_line_id for ln in data.lines).items() if n > 1)
    if twice:
        raise DataError(
            "order lines {twice} appear twice", hint="one receipt line per order line", twice=twice
        )
    product = {ln.id: ln for ln in po.lines}
    receipt = Receipt(
        number=next_number(session, "GRN"),
        order_id=po.id,
        warehouse_id=po.warehouse_id,
        state="draft",
        freight=data.freight,
        duty=data.duty,
        other_costs=data.other_costs,
        delivery_note=data.delivery_note.strip(),
        note=data.note,
        created_by=who(principal),
    )
    receipt.lines = [
        ReceiptLine(
            order_line_id=ln.order_line_id,
            product_id=product[ln.order_line_id].product_id,
            quantity=ln.quantity,
            reason=ln.reason.strip(),
            unit_cost=product[ln.order_line_id].unit_cost,
            landed_total=Decimal(0),
            serials=[units.normalise(s) for s in ln.serials if s.strip()],
        )
        for ln in data.lines
    ]
    session.add(receipt)
    session.flush()
    record(session, principal, "receipt.create", "receipt", receipt.id, None, _snapshot(receipt))
    if data.post:
        fire(session, principal, receipt.id, "post")
    return receipt


def _locked_lines(session: Session, po: PurchaseOrder) -> dict[int, PurchaseOrderLine]:
    stmt = (
        select(PurchaseOrderLine)
        .where(PurchaseOrderLine.order_id == po.id)
        .order_by(PurchaseOrderLine.id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return {ln.id: ln for ln in session.scalars(stmt)}


def _check(session: Session, receipt: Receipt, lines: dict[int, PurchaseOrderLine]) -> None:
    serialised = set(
        session.scalars(
            select(Product.id).where(
                Product.id.in_([ln.product_id for ln in receipt.lines]),
                Product.serialised.is_(True),
            )
        )
    )
    over: list[str] = []
    problems: list[str] = []
    plain: list[str] = []
    for ln in receipt.lines:
        pol = lines[ln.order_line_id]
        after = pol.received + ln.quantity
        if after > pol.quantity and len(ln.reason) < 3:
            over.append(
                f"#{ln.product_id}: {pol.quantity} / {pol.received} + {ln.quantity} = {after}"
            )
        if ln.product_id in serialised and len(ln.serials) != ln.quantity:
            problems.append(f"#{ln.product_id}: {ln.quantity} / {len(ln.serials)}")
        elif ln.product_id not in serialised and ln.serials:
            plain.append(f"#{ln.product_id}")
    if plain:
        raise translatable(
            DataError,
            "products without serial numbers were given serials: {lines}",
            "remove the serials of those lines",
            lines=", ".join(plain),
        )
    if problems:
        raise translatable(
            DataError,
            "serialised products need one serial per unit (product: units / serials): {lines}",
            "scan one serial per unit",
            lines="; ".join(problems),
        )
    if over:
        exc = translatable(
            OverReceipt,
            "over-receipt without a reason (product: ordered / received + now = total): {lines}",
            "give a reason on each line that goes past the order (e.g. supplier sent extra)",
            lines="; ".join(over),
        )
        exc.context["problems"] = over
        raise exc


def _post(session: Session, principal: Optional[Principal], receipt: Receipt) -> None:
    po = get_order(session, receipt.order_id, lock=True)
    if po.state not in RECEIVABLE_PO:
        raise Conflict(
            "{number} is {state}: it takes no receipts now", number=po.number, state=po.state
        )
    lines = _locked_lines(session, po)
    _check(session, receipt, lines)
    shares = allocate(
        Decimal(receipt.landed_extra).quantize(CENT),
        [Decimal(ln.unit_cost) * ln.quantity for ln in receipt.lines],
    )
    actor = who(principal)
    for ln, share in zip(receipt.lines, shares):
        ln.landed_total = (Decimal(ln.unit_cost) * ln.quantity + share).quantize(CENT)
        if ln.landed_total > MAX_AMOUNT:
            raise DataError(
                "product #{product_id}: line value over Rp {max_amount}",
                hint="split the receipt",
                product_id=ln.product_id,
                max_amount=MAX_AMOUNT,
            )
        held = stock.lock_items(session, [ln.product_id], create=True)[ln.product_id].on_hand
        costing.book_in(session, ln.product_id, ln.quantity, ln.landed_total, held, receipt.number)
        stock.receive(
            session,
            ln.product_id,
            ln.quantity,
            reference=receipt.number,
            received_by=actor,
            warehouse_id=receipt.warehouse_id,
        )
        units.register(
            session,
            ln.product_id,
            ln.serials,
            warehouse_id=receipt.warehouse_id,
            reference=receipt.number,
            actor=actor,
            supplier_id=po.supplier_id,
            note=f"{po.number}",
        )
        lines[ln.order_line_id].received += ln.quantity
    receipt.posted_by, receipt.posted_at = actor, utcnow()
    follow_receipts(session, po)
    payables.rematch_order(session, po)


def _reverse(
    session: Session, principal: Optional[Principal], receipt: Receipt, reason: str
) -> None:
    if len(reason) < 3:
        raise translatable(
            DataError,
            "reversing {number} needs a reason",
            "say what was wrong",
            number=receipt.number,
        )
    po = get_order(session, receipt.order_id, lock=True)
    lines = _locked_lines(session, po)
    for ln in receipt.lines:
        lines[ln.order_line_id].received -= ln.quantity
    payables.check_still_covered(session, po)
    for ln in receipt.lines:
        held = stock.lock_items(session, [ln.product_id])[ln.product_id].on_hand
        stock.take_back(session, ln.product_id, ln.quantity, receipt.warehouse_id)
        costing.book_out(session, ln.product_id, ln.quantity, ln.landed_total, held, receipt.number)
        for unit in session.scalars(
            select(Serial).where(Serial.product_id == ln.product_id, Serial.serial.in_(ln.serials))
        ):
            units.move(
                session,
                unit,
                "removed",
                reference=receipt.number,
                actor=who(principal),
                note=reason,
            )
    receipt.reason = reason
    follow_receipts(session, po)
    payables.rematch_order(session, po)


def fire(
    session: Session,
    principal: Optional[Principal],
    receipt_id: int,
    event: str,
    *,
    reason: str = "",
) -> Receipt:
    """post, cancel (a draft), reverse (a posted receipt, with a reason)."""
    receipt = get_receipt(session, receipt_id)
    move = RECEIPT.check(receipt.state, event, actor_of(principal))
    before = _snapshot(receipt)
    if event == "post":
        _post(session, principal, receipt)
    elif event == "reverse":
        _reverse(session, principal, receipt, reason.strip())
    elif event == "cancel":
        receipt.reason = reason.strip()
    receipt.state = move.target
    session.flush()
    record(
        session, principal, f"receipt.{event}", "receipt", receipt.id, before, _snapshot(receipt)
    )
    return receipt


def receipts_of(session: Session, po_id: int) -> list[Receipt]:
    return list(
        session.scalars(select(Receipt).where(Receipt.order_id == po_id).order_by(Receipt.id))
    )
