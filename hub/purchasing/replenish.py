"""Reorder suggestions from the hub's data: sell-through, stock, open orders, offers, suppliers.

Reads with a handful of set-based queries (no per-product round trips) and applies the pure
rules of :mod:`hub.purchasing.reorder`. A product is bought from its preferred supplier,
else the cheapest active one; a product that needs stock but has no supplier is listed apart
(never dropped silently). Sell-through needs go to the first active warehouse (where orders
ship from); low-stock levels to their own warehouse. The buyer reviews the plan and
:func:`make_orders` turns the chosen lines into draft purchase orders, one per supplier and
warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Optional

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.roles import Principal
from hub.inventory.bins import default_warehouse
from hub.inventory.models import Bin, StockItem
from hub.offers.models import Offer, SalesDaily
from hub.orders.models import Order
from hub.purchasing import service
from hub.purchasing.lifecycle import OPEN_PO
from hub.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierProduct
from hub.purchasing.reorder import (
    Item,
    Level,
    Policy,
    Suggestion,
    low_stock,
    order_size,
    sell_through,
)
from hub.purchasing.schemas import OrderLineIn, PurchaseOrderCreate
from shared.errors import DataError


@dataclass(frozen=True)
class Source:
    supplier_id: int
    supplier_code: str
    unit_cost: Decimal
    lead_days: int
    min_order_qty: int
    order_multiple: int


def sources(session: Session) -> dict[int, Source]:
    """Per product, whom to buy from: preferred first, then cheapest, then lowest id."""
    rows = session.execute(
        select(
            SupplierProduct.product_id,
            SupplierProduct.supplier_id,
            Supplier.code,
            SupplierProduct.unit_cost,
            func.coalesce(SupplierProduct.lead_time_days, Supplier.lead_time_days),
            SupplierProduct.min_order_qty,
            SupplierProduct.order_multiple,
            SupplierProduct.preferred,
        )
        .join(Supplier, Supplier.id == SupplierProduct.supplier_id)
        .where(Supplier.active.is_(True))
    )
    best: dict[int, tuple[tuple[bool, Decimal, int], Source]] = {}
    for pid, sid, code, cost, lead, moq, mult, preferred in rows:
        key = (not preferred, Decimal(cost), sid)
        if pid not in best or key < best[pid][0]:
            best[pid] = (key, Source(sid, code, Decimal(cost), int(lead), moq, mult))
    return {pid: s for pid, (_, s) in best.items()}


def sold(session: Session, at: dt.datetime, window_days: int) -> dict[int, int]:
    """Units the resellers sold per product in the window before ``at`` (merged sell-through)."""
    since = (at - dt.timedelta(days=window_days)).date()
    return {
        pid: int(q)
        for pid, q in session.execute(
            select(SalesDaily.product_id, func.sum(SalesDaily.quantity))
            .where(SalesDaily.day >= since, SalesDaily.day < at.date())
            .group_by(SalesDaily.product_id)
        )
    }


def committed(session: Session) -> dict[int, int]:
    """Accepted offers whose order has not reserved stock yet (no order, or a draft order).

    Accepted offers with a placed order are already in ``reserved``: counting them again
    would order twice.
    """
    rows = session.execute(
        select(Offer.product_id, func.sum(Offer.quantity))
        .outerjoin(Order, Order.id == Offer.order_id)
        .where(Offer.status == "accepted", or_(Offer.order_id.is_(None), Order.state == "draft"))
        .group_by(Offer.product_id)
    )
    return {pid: int(q) for pid, q in rows}


def _on_order_by_warehouse(session: Session) -> dict[tuple[int, int], int]:
    out: dict[tuple[int, int], int] = defaultdict(int)
    for wid, pid, qty, received in session.execute(
        select(
            PurchaseOrder.warehouse_id,
            PurchaseOrderLine.product_id,
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.received,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrder.state.in_(sorted(OPEN_PO)))
    ):
        out[(wid, pid)] += max(qty - received, 0)
    return dict(out)


@dataclass
class PlanLine:
    product_id: int
    sku: str
    name: str
    warehouse_id: int
    quantity: int
    reasons: list[str]
    numbers: dict[str, str]
    source: Optional[Source]

    @property
    def amount(self) -> Decimal:
        return self.source.unit_cost * self.quantity if self.source else Decimal(0)


@dataclass
class Plan:
    at: dt.datetime
    policy: Policy
    lines: list[PlanLine] = field(default_factory=list)  # products with a supplier
    unsourced: list[PlanLine] = field(default_factory=list)  # need stock, nobody supplies them
    no_warehouse: bool = False  # sell-through needs found, but the hub has no active warehouse

    def by_supplier(self) -> dict[int, list[PlanLine]]:
        out: dict[int, list[PlanLine]] = defaultdict(list)
        for ln in self.lines:
            assert ln.source is not None
            out[ln.source.supplier_id].append(ln)
        return dict(out)


def low_stock_levels(session: Session, warehouse_id: Optional[int] = None) -> list[Level]:
    incoming = _on_order_by_warehouse(session)
    stmt = select(
        Bin.warehouse_id, Bin.product_id, Bin.on_hand, Bin.reorder_point, Bin.reorder_up_to
    ).where(Bin.reorder_point > 0)
    if warehouse_id is not None:
        stmt = stmt.where(Bin.warehouse_id == warehouse_id)
    return [
        Level(w, p, on_hand, incoming.get((w, p), 0), point, up_to)
        for w, p, on_hand, point, up_to in session.execute(stmt)
    ]


def plan(session: Session, *, at: Optional[dt.datetime] = None, policy: Policy = Policy()) -> Plan:
    """Everything to reorder now, with the numbers behind each line."""
    at = at or utcnow()
    out = Plan(at, policy)
    src = sources(session)
    sales = sold(session, at, policy.window_days)
    products = {
        pid: (sku, name)
        for pid, sku, name in session.execute(
            select(Product.id, Product.sku, Product.name).where(
                Product.active.is_(True), Product.discontinued.is_(False)
            )
        )
    }
    available = dict(
        session.execute(select(StockItem.product_id, StockItem.on_hand - StockItem.reserved)).all()
    )
    on_order = service.on_order(session)
    promised = committed(session)
    items = []
    for pid, n in sales.items():
        if pid not in products:
            continue  # inactive or discontinued: not bought again
        s = src.get(pid)
        items.append(
            Item(
                pid,
                products[pid][0],
                products[pid][1],
                n,
                int(available.get(pid, 0)),
                on_order.get(pid, 0),
                promised.get(pid, 0),
                s.lead_days if s else 0,
                s.min_order_qty if s else 1,
                s.order_multiple if s else 1,
            )
        )
    lines: dict[tuple[int, int], PlanLine] = {}
    home = default_warehouse(session)
    suggestions: Iterable[Suggestion] = sell_through(items, policy)
    for sg in suggestions:
        if home is None:
            out.no_warehouse = True
            break
        sku, name = products[sg.product_id]
        lines[(sg.product_id, home)] = PlanLine(
            sg.product_id,
            sku,
            name,
            home,
            sg.quantity,
            [sg.reason],
            dict(sg.numbers, kind="sell_through"),
            src.get(sg.product_id),
        )
    for low in low_stock(low_stock_levels(session)):
        lv = low.level
        if lv.product_id not in products or low.quantity <= 0:
            continue
        sku, name = products[lv.product_id]
        s = src.get(lv.product_id)
        qty = low.quantity
        if s is not None:
            qty = order_size(Decimal(low.quantity), s.min_order_qty, s.order_multiple)
        reason = (
            f"Warehouse #{lv.warehouse_id} holds {lv.on_hand} (+{lv.on_order} on order), at or below "
            f"its reorder point {lv.reorder_point}: refill to {low.up_to}."
        )
        key = (lv.product_id, lv.warehouse_id)
        if key in lines:
            line = lines[key]
            line.quantity = max(line.quantity, qty)
            line.reasons.append(reason)
        else:
            lines[key] = PlanLine(
                lv.product_id,
                sku,
                name,
                lv.warehouse_id,
                qty,
                [reason],
                {
                    "kind": "low_stock",
                    "on_hand": str(lv.on_hand),
                    "on_order": str(lv.on_order),
                    "reorder_point": str(lv.reorder_point),
                    "up_to": str(low.up_to),
                },
                s,
            )
    for line in lines.values():
        (out.lines if line.source is not None else out.unsourced).append(line)
    out.lines.sort(
        key=lambda ln: (ln.source.supplier_code if ln.source else "", ln.warehouse_id, ln.sku)
    )
    out.unsourced.sort(key=lambda ln: ln.sku)
    return out


@dataclass(frozen=True)
class Pick:
    product_id: int
    supplier_id: int
    warehouse_id: int
    quantity: int


def make_orders(
    session: Session, principal: Optional[Principal], picks: Iterable[Pick]
) -> list[PurchaseOrder]:
    """Draft purchase orders from the reviewed lines: one per (supplier, warehouse)."""
    groups: dict[tuple[int, int], list[Pick]] = defaultdict(list)
    for p in picks:
        if p.quantity <= 0:
            raise DataError(
                "product #{product_id}: quantity must be at least 1",
                hint="untick lines you do not want",
                product_id=p.product_id,
            )
        groups[(p.supplier_id, p.warehouse_id)].append(p)
    if not groups:
        raise DataError("no line chosen", hint="tick the suggestions to order")
    return [
        service.create_order(
            session,
            principal,
            PurchaseOrderCreate(
                supplier_id=sid,
                warehouse_id=wid,
                lines=[OrderLineIn(product_id=p.product_id, quantity=p.quantity) for p in ps],
                note="from the reorder suggestions",
            ),
            source="reorder",
        )
        for (sid, wid), ps in sorted(groups.items())
    ]
