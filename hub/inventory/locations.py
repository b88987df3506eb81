"""Stock per warehouse: what receipts bring in, adjustments correct and shipments take out.

The hub-wide row (:class:`~hub.inventory.models.StockItem`) stays what orders reserve
against; each warehouse's :class:`~hub.inventory.models.Bin` (:mod:`hub.inventory.bins`)
says where the stock physically is. Every movement here changes both in the caller's
transaction, so ``on_hand`` of a product always equals the sum over its warehouses plus what
was received before warehouses existed ("no warehouse"). Rows are locked in the same order as
:mod:`hub.inventory.service` (the hub-wide row first), so movements never deadlock with orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.core.i18n import translatable
from hub.inventory import bins
from hub.inventory.models import Bin, StockItem
from hub.inventory.service import InsufficientStock, lock_items
from shared.errors import Conflict, DataError


def location(session: Session, warehouse_id: int, product_id: int) -> Bin:
    """The warehouse's bin of the product (made at zero when missing), locked where it can be."""
    return bins.put(session, warehouse_id, product_id, 0)


def move(session: Session, warehouse_id: int, product_id: int, quantity: int) -> StockItem:
    """Add ``quantity`` (negative: remove) to a warehouse and to the hub-wide stock.

    Refused (``Conflict``, nothing changed) when the warehouse would go below zero or the
    hub would hold less than its open orders reserve.
    """
    if quantity == 0:
        raise translatable(DataError, "the quantity cannot be zero")
    item = lock_items(session, [product_id], create=True)[product_id]
    here = location(session, warehouse_id, product_id)
    if here.on_hand + quantity < 0:
        raise translatable(
            Conflict,
            "the warehouse holds {have}, it cannot give {want}",
            "count again, or take it from the warehouse that holds it",
            have=here.on_hand,
            want=-quantity,
        )
    if item.on_hand + quantity < item.reserved:
        raise translatable(
            Conflict,
            "{reserved} units are reserved by open orders: only {free} can go",
            "cancel or ship those orders first",
            reserved=item.reserved,
            free=item.on_hand - item.reserved,
        )
    item.on_hand += quantity
    here.on_hand += quantity
    session.flush()
    return item


def check_holds(session: Session, warehouse_id: int, quantities: Mapping[int, int]) -> None:
    """Refuse (every short product at once) when the warehouse lacks any of an order's lines:
    staff chose to ship from it, so the goods are not silently taken from another."""
    rows = {pid: location(session, warehouse_id, pid) for pid in sorted(quantities)}
    short = [
        f"product {pid}: {rows[pid].on_hand} in this warehouse, {qty} to ship"
        for pid, qty in sorted(quantities.items())
        if rows[pid].on_hand < qty
    ]
    if short:
        raise InsufficientStock(
            "this warehouse does not hold the order's stock: {short}",
            hint="ship from the warehouse that holds the stock, or receive it there first",
            short="; ".join(short),
        )


def best_warehouse(session: Session, quantities: Mapping[int, int]) -> int | None:
    """The warehouse that can ship every line (most stock of them first), if any."""
    if not quantities:
        return None
    stmt = (
        select(Bin.warehouse_id)
        .where(Bin.product_id.in_(list(quantities)))
        .group_by(Bin.warehouse_id)
        .order_by(func.sum(Bin.on_hand).desc(), Bin.warehouse_id)
    )
    for wid in session.scalars(stmt):
        held = dict(
            session.execute(
                select(Bin.product_id, Bin.on_hand).where(Bin.warehouse_id == wid)
            ).all()
        )
        if all(held.get(pid, 0) >= qty for pid, qty in quantities.items()):
            return int(wid)
    return None


@dataclass(frozen=True)
class Level:
    """One product in one warehouse, as the stock page shows it."""

    product_id: int
    on_hand: int  # in this warehouse
    reorder_point: int
    total: int  # hub-wide
    reserved: int  # hub-wide, by open orders

    @property
    def mark(self) -> str:
        """``out``, ``low`` (at or below the reorder point) or ``ok``."""
        if self.on_hand <= 0:
            return "out"
        return "low" if self.on_hand <= self.reorder_point else "ok"


def unassigned(session: Session, product_ids: Iterable[int]) -> dict[int, int]:
    """Stock received before warehouses existed: hub-wide on hand minus what warehouses hold."""
    ids = list(product_ids)
    held = dict(
        session.execute(
            select(Bin.product_id, func.sum(Bin.on_hand))
            .where(Bin.product_id.in_(ids))
            .group_by(Bin.product_id)
        ).all()
    )
    totals = dict(
        session.execute(
            select(StockItem.product_id, StockItem.on_hand).where(StockItem.product_id.in_(ids))
        ).all()
    )
    return {pid: int(totals.get(pid, 0)) - int(held.get(pid, 0) or 0) for pid in ids}
