"""Moving average cost: what a unit in stock cost us, for stock value and margins.

The average changes only when goods come in at a cost (a posted receipt, with its share of
freight, duty and other landed costs) or such a receipt is reversed; goods leaving do not
change it. With ``H`` units on hand before a receipt of ``q`` units worth ``V``::

    average' = (average × H + V) / (H + q)

Units on hand that never had a cost (received outside purchasing) count at the current
average; a product's first costed receipt sets it to ``V / q``. A reversal takes ``V``
back out: ``(average × H − V) / (H − q)`` (unchanged when nothing would be left).
Averages keep four decimal places. :func:`average_costs`, :func:`cost_table` (for SQL aggregates) and :func:`stock_valuation`
are the seam for reports (margins): read them, never the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Optional

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.inventory.models import StockItem
from hub.purchasing.models import CENT, CostMove, ProductCost

PLACES = Decimal("0.0001")


def _q(x: Decimal) -> Decimal:
    return x.quantize(PLACES, rounding=ROUND_HALF_UP)


def _locked(session: Session, product_id: int) -> Optional[ProductCost]:
    stmt = select(ProductCost).where(ProductCost.product_id == product_id)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return session.execute(stmt.execution_options(populate_existing=True)).scalar()


def _book(
    session: Session, product_id: int, quantity: int, value: Decimal, on_hand_before: int, ref: str
) -> Decimal:
    row = _locked(session, product_id)
    before = Decimal(row.average_cost) if row is not None else Decimal(0)
    held = max(on_hand_before, 0)
    if quantity > 0:
        after = (before * held + value) / (held + quantity) if row is not None else value / quantity
    elif held + quantity > 0:
        after = max((before * held + value) / (held + quantity), Decimal(0))
    else:
        after = before
    after = _q(after)
    if row is None:
        row = ProductCost(product_id=product_id, average_cost=after)
        session.add(row)
    row.average_cost, row.updated_at = after, utcnow()
    session.add(
        CostMove(
            product_id=product_id,
            reference=ref[:40],
            quantity=quantity,
            value=value.quantize(CENT),
            on_hand_before=on_hand_before,
            average_before=before,
            average_after=after,
        )
    )
    session.flush()
    return after


def book_in(
    session: Session, product_id: int, quantity: int, value: Decimal, on_hand_before: int, ref: str
) -> Decimal:
    """``quantity`` units worth ``value`` (landed) arrived; returns the new average."""
    return _book(session, product_id, quantity, value, on_hand_before, ref)


def book_out(
    session: Session, product_id: int, quantity: int, value: Decimal, on_hand_before: int, ref: str
) -> Decimal:
    """A receipt of ``quantity`` units worth ``value`` is undone; returns the new average."""
    return _book(session, product_id, -quantity, -value, on_hand_before, ref)


def average_costs(
    session: Session, product_ids: Optional[Iterable[int]] = None
) -> dict[int, Decimal]:
    """Moving average unit cost per product (products never received at a cost are absent)."""
    stmt = select(ProductCost.product_id, ProductCost.average_cost)
    if product_ids is not None:
        stmt = stmt.where(ProductCost.product_id.in_(list(product_ids)))
    return {pid: Decimal(c) for pid, c in session.execute(stmt)}


def cost_table() -> Subquery:
    """Every costed product's moving average as a subquery ``(product_id, average_cost)``: for
    aggregates that must stay in SQL (margins over a million order lines), join this, not the table."""
    return select(ProductCost.product_id, ProductCost.average_cost).subquery("average_costs")


@dataclass(frozen=True)
class Valued:
    product_id: int
    sku: str
    name: str
    on_hand: int
    average_cost: Optional[Decimal]

    @property
    def value(self) -> Optional[Decimal]:
        if self.average_cost is None:
            return None
        return (self.average_cost * self.on_hand).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Valuation:
    rows: list[Valued]

    @property
    def total(self) -> Decimal:
        return sum((r.value for r in self.rows if r.value is not None), Decimal(0))

    @property
    def uncosted(self) -> list[Valued]:
        """On hand but never received at a cost: their value is unknown, not zero."""
        return [r for r in self.rows if r.average_cost is None and r.on_hand > 0]


def stock_valuation(session: Session) -> Valuation:
    """Stock on hand at moving average cost, per product (SKU order)."""
    rows = session.execute(
        select(Product.id, Product.sku, Product.name, StockItem.on_hand, ProductCost.average_cost)
        .join(StockItem, StockItem.product_id == Product.id)
        .outerjoin(ProductCost, ProductCost.product_id == Product.id)
        .where(StockItem.on_hand > 0)
        .order_by(Product.sku)
    )
    return Valuation(
        [
            Valued(pid, sku, name, qty, None if c is None else Decimal(c))
            for pid, sku, name, qty, c in rows
        ]
    )
