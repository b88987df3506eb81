"""Where stock sits: a product's ``on_hand`` split over warehouses (bins), with low-stock levels.

Invariant, kept by every stock movement: ``sum(bins of a product) <= on_hand`` — the rest is
*unassigned* (stock booked before any warehouse existed). Movements in lock order: stock rows
first (``hub.inventory.service``), then the product's bins, in ascending (warehouse, product).
Goods leave from the preferred warehouse first, then the other active ones, then inactive ones,
then unassigned stock. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.inventory.models import Bin, StockItem
from shared.errors import DataError, NotFound


def _locked(session: Session, product_ids: Iterable[int]) -> list[Bin]:
    stmt = (
        select(Bin)
        .where(Bin.product_id.in_(sorted(set(product_ids))))
        .order_by(Bin.warehouse_id, Bin.product_id)
    )
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return list(session.execute(stmt).scalars())


def default_warehouse(session: Session) -> Optional[int]:
    """The first active warehouse: where orders ship from (as the shipping fee assumes)."""
    from hub.shipping.models import Warehouse

    return session.scalar(
        select(Warehouse.id).where(Warehouse.active.is_(True)).order_by(Warehouse.id).limit(1)
    )


def check_warehouse(session: Session, warehouse_id: int) -> None:
    from hub.shipping.models import Warehouse

    if session.get(Warehouse, warehouse_id) is None:
        raise NotFound(
            "no warehouse #{warehouse_id}",
            hint="pick one of the warehouses on the stock page",
            warehouse_id=warehouse_id,
        )


def put(session: Session, warehouse_id: int, product_id: int, quantity: int) -> Bin:
    """``quantity`` units arrived in the warehouse (the caller raised ``on_hand`` already)."""
    found = [b for b in _locked(session, [product_id]) if b.warehouse_id == warehouse_id]
    if found:
        found[0].on_hand += quantity
        return found[0]
    check_warehouse(session, warehouse_id)
    b = Bin(
        warehouse_id=warehouse_id,
        product_id=product_id,
        on_hand=quantity,
        reorder_point=0,
        reorder_up_to=0,
    )
    session.add(b)
    session.flush()
    return b


def take(
    session: Session, quantities: Mapping[int, int], prefer: Optional[int] = None
) -> dict[int, dict[Optional[int], int]]:
    """Units left (``on_hand`` already lowered by the caller): take them from bins.

    Returns product → {warehouse id (None: unassigned): units} so callers can tell the
    operator where the goods came from.
    """
    from hub.shipping.models import Warehouse

    if not quantities:
        return {}
    active = dict(session.execute(select(Warehouse.id, Warehouse.active)).all())
    first = prefer if prefer is not None else default_warehouse(session)
    by_product: dict[int, list[Bin]] = {}
    for b in _locked(session, quantities):
        by_product.setdefault(b.product_id, []).append(b)
    out: dict[int, dict[Optional[int], int]] = {}
    for pid, qty in quantities.items():
        bins = sorted(
            by_product.get(pid, []),
            key=lambda b: (b.warehouse_id != first, not active.get(b.warehouse_id), b.warehouse_id),
        )
        left = qty
        taken: dict[Optional[int], int] = {}
        for b in bins:
            if left == 0:
                break
            n = min(left, b.on_hand)
            if n:
                b.on_hand -= n
                taken[b.warehouse_id] = n
                left -= n
        if left:
            taken[None] = left
        out[pid] = taken
    session.flush()
    return out


def take_from(session: Session, warehouse_id: int, product_id: int, quantity: int) -> None:
    """Units leave one named warehouse (a receipt reversed there): refused if it holds fewer."""
    found = [b for b in _locked(session, [product_id]) if b.warehouse_id == warehouse_id]
    held = found[0].on_hand if found else 0
    if held < quantity:
        raise DataError(
            "warehouse #{warehouse_id} holds {held} of product {product_id}, not {quantity}",
            hint="the goods have moved on (shipped or transferred): correct with an adjustment",
            warehouse_id=warehouse_id,
            held=held,
            product_id=product_id,
            quantity=quantity,
        )
    found[0].on_hand -= quantity
    session.flush()


def set_levels(
    session: Session, warehouse_id: int, product_id: int, reorder_point: int, reorder_up_to: int
) -> Bin:
    """Low-stock levels of a product in a warehouse (creates the empty bin if needed)."""
    if reorder_point < 0 or reorder_up_to < 0:
        raise DataError("reorder levels cannot be negative", hint="use 0 for no level")
    if reorder_up_to and reorder_up_to < reorder_point:
        raise DataError(
            "refill level {reorder_up_to} is below the reorder point {reorder_point}",
            hint="refill up to at least the reorder point (0 means twice the point)",
            reorder_up_to=reorder_up_to,
            reorder_point=reorder_point,
        )
    b = session.get(Bin, (warehouse_id, product_id))
    if b is None:
        b = put(session, warehouse_id, product_id, 0)
    b.reorder_point, b.reorder_up_to = reorder_point, reorder_up_to
    session.flush()
    return b


@dataclass(frozen=True)
class Placement:
    product_id: int
    on_hand: int
    bins: dict[int, int]

    @property
    def unassigned(self) -> int:
        return self.on_hand - sum(self.bins.values())


def placement(session: Session, product_ids: Optional[Iterable[int]] = None) -> list[Placement]:
    """Per product: total on hand and the part in each warehouse (the invariant's two sides)."""
    stmt = select(StockItem.product_id, StockItem.on_hand).order_by(StockItem.product_id)
    bins = select(Bin.product_id, Bin.warehouse_id, Bin.on_hand)
    if product_ids is not None:
        ids = list(product_ids)
        stmt, bins = stmt.where(StockItem.product_id.in_(ids)), bins.where(Bin.product_id.in_(ids))
    per: dict[int, dict[int, int]] = {}
    for pid, wid, qty in session.execute(bins):
        per.setdefault(pid, {})[wid] = qty
    return [Placement(pid, qty, per.get(pid, {})) for pid, qty in session.execute(stmt)]


def in_warehouses(session: Session) -> dict[tuple[int, int], int]:
    """(warehouse, product) → units, for reports."""
    return {
        (w, p): q
        for w, p, q in session.execute(select(Bin.warehouse_id, Bin.product_id, Bin.on_hand))
    }


def assigned_total(session: Session, product_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Bin.on_hand), 0)).where(Bin.product_id == product_id)
        )
        or 0
    )
