"""Purchase orders: create, edit while draft, approve, send (PDF by e-mail), cancel, close.

Receipts (:mod:`hub.purchasing.receiving`) move a sent order through partly received and
received; :func:`follow_receipts` derives that state from the lines, so the state can
never disagree with what was received. Nothing here commits: the caller's transaction
owns the unit of work. Lock order everywhere: purchase order row, then its lines, then
stock rows (``hub.inventory``), then costs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.documents.builder import render
from hub.documents.parties import distributor
from hub.notifications.service import notify_address
from hub.orders.documents import rupiah
from hub.purchasing import documents
from hub.purchasing.lifecycle import OPEN_PO, PURCHASE_ORDER, SYSTEM
from hub.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierProduct
from hub.purchasing.numbering import next_number
from hub.purchasing.query import paged
from hub.purchasing.schemas import OrderLineIn, PurchaseOrderCreate
from hub.purchasing.suppliers import get_supplier, resolve_products
from hub.shipping.models import Warehouse
from shared.errors import DataError, NotFound


def actor_of(principal: Optional[Principal]) -> str:
    return SYSTEM if principal is None else principal.role.value


def who(principal: Optional[Principal]) -> str:
    return SYSTEM if principal is None else principal.username or principal.role.value


def snapshot(po: PurchaseOrder) -> dict[str, object]:
    return {
        "state": po.state,
        "total": po.total,
        "lines": [(ln.product_id, ln.quantity, ln.unit_cost, ln.received) for ln in po.lines],
    }


def get_order(session: Session, po_id: int, *, lock: bool = False) -> PurchaseOrder:
    stmt = select(PurchaseOrder).where(PurchaseOrder.id == po_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    po = session.execute(stmt.execution_options(populate_existing=lock)).scalar()
    if po is None:
        raise NotFound(
            "no purchase order #{po_id}", hint="see the purchase orders list", po_id=po_id
        )
    return po


def warehouse_of(session: Session, warehouse_id: int) -> Warehouse:
    w = session.get(Warehouse, warehouse_id)
    if w is None or not w.active:
        raise DataError(
            "no active warehouse #{warehouse_id}",
            hint="choose one of the active warehouses",
            warehouse_id=warehouse_id,
        )
    return w


def _lines(
    session: Session, supplier: Supplier, lines: Sequence[OrderLineIn]
) -> list[PurchaseOrderLine]:
    """Resolve products, take costs from the supplier's list when not given; one line per product."""
    pids = resolve_products(session, [(ln.product_id, ln.sku) for ln in lines])
    offer = {
        sp.product_id: sp
        for sp in session.scalars(
            select(SupplierProduct).where(
                SupplierProduct.supplier_id == supplier.id, SupplierProduct.product_id.in_(pids)
            )
        )
    }
    merged: dict[int, list[object]] = {}
    problems = []
    for n, (pid, ln) in enumerate(zip(pids, lines), 1):
        sp = offer.get(pid)
        cost = ln.unit_cost if ln.unit_cost is not None else (sp.unit_cost if sp else None)
        if cost is None:
            problems.append(
                f"line {n}: {supplier.code} has no price for product #{pid}: give the unit cost"
            )
            continue
        if pid in merged:
            merged[pid][0] = int(merged[pid][0]) + ln.quantity  # type: ignore[call-overload]
        else:
            merged[pid] = [ln.quantity, Decimal(cost), sp.supplier_code if sp else ""]
    if problems:
        raise DataError(
            "; ".join(problems),
            hint="add the product to the supplier's list, or type its cost",
            problems=problems,
        )
    return [
        PurchaseOrderLine(product_id=pid, quantity=q, unit_cost=c, supplier_code=code, received=0)
        for pid, (q, c, code) in merged.items()
    ]


def create_order(
    session: Session,
    principal: Optional[Principal],
    data: PurchaseOrderCreate,
    *,
    source: str = "manual",
) -> PurchaseOrder:
    """A draft purchase order, numbered now (numbers are gap-free per year)."""
    supplier = get_supplier(session, data.supplier_id)
    if not supplier.active:
        raise DataError(
            "supplier {code} is inactive",
            hint="reactivate it or choose another",
            code=supplier.code,
        )
    warehouse_of(session, data.warehouse_id)
    lines = _lines(session, supplier, data.lines)
    po = PurchaseOrder(
        number=next_number(session, "PO"),
        supplier_id=supplier.id,
        warehouse_id=data.warehouse_id,
        state="draft",
        source=source,
        expected_on=data.expected_on,
        note=data.note,
        created_by=who(principal),
    )
    if po.expected_on is None:
        po.expected_on = (utcnow() + dt.timedelta(days=supplier.lead_time_days)).date()
    po.lines = lines
    session.add(po)
    session.flush()
    record(session, principal, "purchase_order.create", "purchase_order", po.id, None, snapshot(po))
    return po


def replace_lines(
    session: Session, principal: Optional[Principal], po_id: int, lines: Sequence[OrderLineIn]
) -> PurchaseOrder:
    po = get_order(session, po_id, lock=True)
    if po.state != "draft":
        raise DataError(
            "{number} is {state}: only a draft can be edited",
            hint="cancel it and make a new one",
            number=po.number,
            state=po.state,
        )
    before = snapshot(po)
    po.lines = _lines(session, get_supplier(session, po.supplier_id), lines)
    session.flush()
    record(session, principal, "purchase_order.edit", "purchase_order", po.id, before, snapshot(po))
    return po


def po_pdf(session: Session, po: PurchaseOrder) -> bytes:
    supplier = get_supplier(session, po.supplier_id)
    w = session.get(Warehouse, po.warehouse_id)
    where = f"{w.name} ({w.code}), {w.address}".rstrip(", ") if w else str(po.warehouse_id)
    ids = [ln.product_id for ln in po.lines]
    products = {
        pid: (sku, name)
        for pid, sku, name in session.execute(
            select(Product.id, Product.sku, Product.name).where(Product.id.in_(ids))
        )
    }
    return render(
        documents.purchase_order_document(
            po, supplier, where, products, distributor(), approved_by=po.approved_by
        )
    )


def _send(session: Session, po: PurchaseOrder, files: Path) -> None:
    supplier = get_supplier(session, po.supplier_id)
    if not supplier.email:
        raise translatable(
            DataError,
            "supplier {code} has no e-mail address: the order cannot be sent",
            "add the supplier's e-mail on its page, then send again",
            code=supplier.code,
        )
    files.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = files / f"{po.number}.pdf"
    path.write_bytes(po_pdf(session, po))
    w = session.get(Warehouse, po.warehouse_id)
    notify_address(
        session,
        supplier.email,
        "purchase_order",
        {
            "number": po.number,
            "buyer": distributor().legal_name,
            "supplier": supplier.legal_name,
            "total": rupiah(po.total).removeprefix("Rp "),
            "warehouse": w.name if w else "",
        },
        attachment=path,
    )
    po.sent_to, po.sent_at = supplier.email, utcnow()


def fire(
    session: Session,
    principal: Optional[Principal],
    po_id: int,
    event: str,
    *,
    reason: str = "",
    files: Optional[Path] = None,
) -> PurchaseOrder:
    """approve, send (needs ``files``: where the sent PDF is kept), cancel, close."""
    po = get_order(session, po_id, lock=True)
    move = PURCHASE_ORDER.check(po.state, event, actor_of(principal))
    before = snapshot(po)
    reason = reason.strip()
    if event == "approve":
        po.approved_by, po.approved_at = who(principal), utcnow()
    elif event == "send":
        if files is None:
            raise ValueError("send needs the directory for the PDF")
        _send(session, po, files)
    elif event == "cancel":
        if po.state != "draft" and len(reason) < 3:
            raise translatable(
                DataError,
                "cancelling {number} needs a reason",
                "say why (the supplier may ask)",
                number=po.number,
            )
        if any(ln.received for ln in po.lines):
            raise translatable(
                DataError, "{number} has received goods: close it instead", number=po.number
            )
        po.reason, po.closed_at = reason, utcnow()
    elif event == "close":
        short = [ln for ln in po.lines if ln.received < ln.quantity]
        if short and len(reason) < 3:
            missing = ", ".join(f"#{ln.product_id}: {ln.outstanding}" for ln in short)
            raise translatable(
                DataError,
                "{number} is short (product: still to come): {missing}; closing needs a reason",
                "say why the rest will not come (e.g. the supplier is out of stock)",
                number=po.number,
                missing=missing,
            )
        po.reason, po.closed_at = reason, utcnow()
    po.state = move.target
    session.flush()
    record(
        session, principal, f"purchase_order.{event}", "purchase_order", po.id, before, snapshot(po)
    )
    return po


def follow_receipts(session: Session, po: PurchaseOrder) -> None:
    """Set the order's state from its lines after receipts were posted or reversed."""
    if all(ln.received >= ln.quantity for ln in po.lines):
        event = "receive_all"
    elif any(ln.received for ln in po.lines):
        event = "receive_part"
    else:
        event = "receive_none"
    if po.state == "sent" and event == "receive_none":
        return
    po.state = PURCHASE_ORDER.check(po.state, event, SYSTEM).target


def list_orders(
    session: Session,
    *,
    supplier_id: Optional[int] = None,
    state: Optional[str] = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[PurchaseOrder], int]:
    stmt = select(PurchaseOrder)
    if supplier_id:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    if state:
        stmt = stmt.where(PurchaseOrder.state == state)
    return paged(session, stmt, [PurchaseOrder.id.desc()], limit, offset)


def on_order(session: Session, warehouse_id: Optional[int] = None) -> dict[int, int]:
    """Units still expected per product: approved, sent and partly received orders."""
    stmt = (
        select(PurchaseOrderLine.product_id, PurchaseOrderLine.quantity, PurchaseOrderLine.received)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrder.state.in_(sorted(OPEN_PO)))
    )
    if warehouse_id is not None:
        stmt = stmt.where(PurchaseOrder.warehouse_id == warehouse_id)
    out: dict[int, int] = defaultdict(int)
    for pid, qty, received in session.execute(stmt):
        out[pid] += max(qty - received, 0)
    return dict(out)
