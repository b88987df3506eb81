"""Goods: stock movements in a period, stock value, low and ageing stock, warranty rates.

Movements are read from where each one is recorded: receipts from the stock receipts
(purchases, manual receipts, supplier replacements), reversed purchase receipts from the
cost moves, shipments from the orders shipped (the audit log's ``order.ship`` with the
order's lines). Value uses :mod:`hub.purchasing.costing`; low stock its reorder levels.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.orm import Session

from hub.audit.models import AuditEntry
from hub.catalog.models import Product
from hub.inventory.models import Serial, StockItem, StockReceipt
from hub.orders.models import Order, OrderLine
from hub.periods.calendar import Period, utc_start, wib_date
from hub.purchasing import replenish
from hub.purchasing.models import CostMove, Supplier
from hub.purchasing.reorder import low_stock
from hub.warranty.models import Claim


@dataclass(frozen=True)
class Movement:
    day: dt.date
    kind: str  # received | reversed | shipped
    reference: str
    product_id: int
    quantity: int  # + in, - out


MOVE_WORDS = {"received": "Received", "reversed": "Receipt reversed", "shipped": "Shipped"}


def movements(session: Session, period: Period, product: Optional[int] = None) -> list[Movement]:
    start, end = period.utc_bounds()
    out: list[Movement] = []
    receipts = select(
        StockReceipt.received_at,
        StockReceipt.reference,
        StockReceipt.product_id,
        StockReceipt.quantity,
    ).where(StockReceipt.received_at >= start, StockReceipt.received_at < end)
    reversals = select(
        CostMove.at, CostMove.reference, CostMove.product_id, CostMove.quantity
    ).where(CostMove.at >= start, CostMove.at < end, CostMove.quantity < 0)
    if product is not None:
        receipts = receipts.where(StockReceipt.product_id == product)
        reversals = reversals.where(CostMove.product_id == product)
    out += [
        Movement(wib_date(at), "received", ref, pid, q)
        for at, ref, pid, q in session.execute(receipts)
    ]
    out += [
        Movement(wib_date(at), "reversed", ref, pid, q)
        for at, ref, pid, q in session.execute(reversals)
    ]
    shipped = (
        select(
            AuditEntry.at, Order.id, Order.invoice_number, OrderLine.product_id, OrderLine.quantity
        )
        .join(Order, AuditEntry.entity_id == cast(Order.id, String))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            AuditEntry.entity == "order",
            AuditEntry.action == "order.ship",
            AuditEntry.at >= start,
            AuditEntry.at < end,
        )
    )
    if product is not None:
        shipped = shipped.where(OrderLine.product_id == product)
    out += [
        Movement(wib_date(at), "shipped", inv or f"#{oid}", pid, -q)
        for at, oid, inv, pid, q in session.execute(shipped)
    ]
    out.sort(key=lambda m: (m.day, m.kind, m.reference, m.product_id))
    return out


def products(session: Session, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """id -> (SKU, name, category)."""
    out: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(ids), 5000):
        rows = session.execute(
            select(Product.id, Product.sku, Product.name, Product.category).where(
                Product.id.in_(ids[start : start + 5000])
            )
        )
        out.update({i: (s, n, c) for i, s, n, c in rows})
    return out


@dataclass(frozen=True)
class LowRow:
    warehouse: str
    product_id: int
    on_hand: int
    on_order: int
    reorder_point: int
    to_order: int


def low(session: Session) -> list[LowRow]:
    from hub.shipping.models import Warehouse

    names = dict(session.execute(select(Warehouse.id, Warehouse.code)).all())
    return [
        LowRow(
            names.get(r.level.warehouse_id, str(r.level.warehouse_id)),
            r.level.product_id,
            r.level.on_hand,
            r.level.on_order,
            r.level.reorder_point,
            r.quantity,
        )
        for r in low_stock(replenish.low_stock_levels(session))
    ]


@dataclass(frozen=True)
class Idle:
    """Stock on hand that has not moved for a while (ageing stock)."""

    product_id: int
    on_hand: int
    last_in: Optional[dt.date]
    last_out: Optional[dt.date]

    def idle_days(self, today: dt.date) -> Optional[int]:
        last = max((d for d in (self.last_in, self.last_out) if d is not None), default=None)
        return None if last is None else (today - last).days


def ageing_stock(session: Session, today: dt.date, idle_days: int = 90) -> list[Idle]:
    """Products on hand whose last receipt and last shipment are both ``idle_days`` or more
    ago (or never recorded), longest idle first."""
    last_in = dict(
        session.execute(
            select(StockReceipt.product_id, func.max(StockReceipt.received_at)).group_by(
                StockReceipt.product_id
            )
        ).all()
    )
    last_out = dict(
        session.execute(
            select(OrderLine.product_id, func.max(AuditEntry.at))
            .join(Order, Order.id == OrderLine.order_id)
            .join(
                AuditEntry,
                and_(
                    AuditEntry.entity == "order",
                    AuditEntry.action == "order.ship",
                    AuditEntry.entity_id == cast(Order.id, String),
                ),
            )
            .group_by(OrderLine.product_id)
        ).all()
    )
    out = []
    for pid, on_hand in session.execute(
        select(StockItem.product_id, StockItem.on_hand).where(StockItem.on_hand > 0)
    ):
        li, lo = last_in.get(pid), last_out.get(pid)
        row = Idle(pid, on_hand, li and wib_date(li), lo and wib_date(lo))
        days = row.idle_days(today)
        if days is None or days >= idle_days:
            out.append(row)
    return sorted(out, key=lambda r: (-(r.idle_days(today) or 10**6), r.product_id))


@dataclass(frozen=True)
class Rate:
    key: int
    shipped: int
    claims: int

    @property
    def pct(self) -> Optional[Decimal]:
        if not self.shipped:
            return None
        return (Decimal(self.claims) * 100 / self.shipped).quantize(Decimal("0.1"))


def warranty_rates(session: Session, since: dt.date, until: dt.date, by: str) -> list[Rate]:
    """Warranty claims filed ÷ serialised units shipped between ``since`` and ``until`` (WIB,
    exclusive), per ``product`` or ``supplier`` (the supplier the unit came from); highest first."""
    start, end = utc_start(since), utc_start(until)
    col = Serial.product_id if by == "product" else Serial.supplier_id
    shipped = dict(
        session.execute(
            select(col, func.count(Serial.id))
            .where(Serial.shipped_at >= start, Serial.shipped_at < end, col.is_not(None))
            .group_by(col)
        ).all()
    )
    claims = dict(
        session.execute(
            select(col, func.count(Claim.id))
            .join(Serial, Serial.id == Claim.serial_id)
            .where(Claim.created_at >= start, Claim.created_at < end, col.is_not(None))
            .group_by(col)
        ).all()
    )
    rates = [
        Rate(int(k or 0), int(shipped.get(k, 0)), int(claims.get(k, 0)))
        for k in set(shipped) | set(claims)
    ]
    return sorted(rates, key=lambda r: (-(r.pct or Decimal(0)), -r.claims, r.key))


def supplier_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Supplier.id, Supplier.legal_name)).all())


def shipped_units(session: Session, period: Period) -> dict[int, int]:
    """Units shipped per product in ``period`` (orders shipped, from the audit log)."""
    out: dict[int, int] = defaultdict(int)
    for m in movements(session, period):
        if m.kind == "shipped":
            out[m.product_id] -= m.quantity
    return dict(out)


def claims_filed(session: Session, period: Period) -> dict[int, int]:
    start, end = period.utc_bounds()
    return dict(
        session.execute(
            select(Claim.product_id, func.count(Claim.id))
            .where(Claim.created_at >= start, Claim.created_at < end)
            .group_by(Claim.product_id)
        ).all()
    )
