"""Other ways into an order: a CSV quick order, an offer, editing a cart (draft).

Each turns its input into :class:`LineRequest` values and goes through the one
``create_order`` path, so every source gets the same checks and prices.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, Optional, Sequence

from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.orders.lifecycle import IllegalTransition, State
from hub.orders.models import Order
from hub.orders.service import (
    LineRequest,
    OrderContext,
    OrderInputError,
    create_order,
    get_order,
    priced_lines,
    snapshot,
)
from shared.errors import TooLarge, problem

MAX_CSV_BYTES = 1024 * 1024
SKU_HEADERS = ("sku", "kode", "product_sku")
QTY_HEADERS = ("quantity", "qty", "jumlah")


def parse_csv(data: bytes) -> list[LineRequest]:
    """``sku,quantity`` lines (header required; ``;`` also accepted); every bad row reported at once."""
    if len(data) > MAX_CSV_BYTES:
        raise TooLarge(
            "the CSV is larger than {limit} KiB",
            hint="split the order",
            limit=MAX_CSV_BYTES // 1024,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OrderInputError(
            "the CSV is not UTF-8 text", hint="save it as 'CSV UTF-8' and upload again"
        ) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:  # one column, or no delimiter at all: read as plain CSV and report the header
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise OrderInputError(
            "the CSV cannot be read: {reason}",
            hint="save it as 'CSV UTF-8' and upload again",
            reason=exc,
        ) from None
    headers = {h.strip().lower(): h for h in (reader.fieldnames or [])}
    sku_col = next((headers[h] for h in SKU_HEADERS if h in headers), None)
    qty_col = next((headers[h] for h in QTY_HEADERS if h in headers), None)
    if sku_col is None or qty_col is None:
        raise OrderInputError(
            "the CSV needs the columns sku and quantity, found {found}",
            hint="first line: sku,quantity",
            found=", ".join(headers) or "-",
        )
    lines, problems = [], []
    for n, row in enumerate(rows, 2):
        sku, raw = (row.get(sku_col) or "").strip(), (row.get(qty_col) or "").strip()
        if not sku and not raw:
            continue
        try:
            qty = int(raw)
        except ValueError:
            problems.append(
                problem(f"row {n}", "quantity {value} is not a whole number", value=repr(raw))
            )
            continue
        lines.append(LineRequest(quantity=qty, sku=sku))
    if problems:
        raise OrderInputError(
            "the CSV has {count} problem(s)",
            hint="fix these rows and upload again",
            problems=problems,
            count=len(problems),
        )
    return lines


def from_offer(
    session: Session,
    principal: Principal,
    offer_id: int,
    ctx: OrderContext,
    quantity: Optional[int] = None,
) -> Order:
    """Order what an offer proposes (its quantity, or any smaller one) and mark it accepted."""
    from hub.offers.workflow import get_offer, mark_accepted

    offer = get_offer(session, offer_id, principal)
    qty = quantity if quantity is not None else offer.quantity
    if not 1 <= qty <= offer.quantity:  # a partial order: any quantity up to the offer's
        raise translatable(
            OrderInputError,
            "order 1 to {most} of this offer, not {qty}",
            "the offer's price holds for up to its quantity",
            most=offer.quantity,
            qty=qty,
        )
    order = create_order(
        session,
        principal,
        offer.reseller_id,
        [LineRequest(quantity=qty, product_id=offer.product_id)],
        ctx,
        source="offer",
        offer_id=offer.id,
    )
    mark_accepted(session, offer.id, order.id)
    return order


def replace_lines(
    session: Session,
    principal: Principal,
    order_id: int,
    lines: Sequence[LineRequest],
    ctx: OrderContext,
) -> Order:
    """Edit a cart: the draft's lines become ``lines``, priced now."""
    order = get_order(session, principal, order_id, lock=True)
    if order.state != State.DRAFT.value:
        raise IllegalTransition(
            "order #{order_id} is {state}: only a draft (cart) can be edited",
            order_id=order.id,
            state=order.state,
        )
    fresh = priced_lines(session, order.reseller_id, lines, ctx, utcnow())
    before = snapshot(order)
    order.lines.clear()
    session.flush()
    order.lines.extend(fresh)
    order.subtotal = sum((line.line_total for line in fresh), Decimal(0))
    session.flush()
    record(session, principal, "order.edit", "order", order.id, before, snapshot(order))
    return order
