"""Reservation that cannot oversell, on SQLite and PostgreSQL.

Every mutation follows one recipe: sum the quantities per product, lock the
stock rows in ascending product id order (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` from ``hub.core.db`` already holds
the database write lock), check, then change. Two orders over overlapping
products therefore always take their locks in the same order: no deadlock.
Nothing here commits — the caller's transaction owns the unit of work.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.inventory.models import StockItem, StockReceipt
from shared.errors import DataError


class InsufficientStock(DataError):
    """Not enough unreserved stock for one or more products (nothing was reserved)."""


class StockInconsistent(DataError):
    """A release or shipment asks for more than is reserved: a bug or a double action."""


def summed(lines: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Quantities per product, summed (an order may list a product twice)."""
    total: dict[int, int] = defaultdict(int)
    for product_id, qty in lines:
        if qty <= 0:
            raise DataError(f"product {product_id}: quantity must be a positive whole number, got {qty}")
        total[int(product_id)] += int(qty)
    return dict(total)


def lock_items(session: Session, product_ids: Iterable[int], *, create: bool = False) -> dict[int, StockItem]:
    """Lock the stock rows of ``product_ids`` in ascending id order and return them by id."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    stmt = select(StockItem).where(StockItem.product_id.in_(ids)).order_by(StockItem.product_id)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    rows = {item.product_id: item for item in session.execute(stmt).scalars()}
    if create:
        for pid in ids:
            if pid not in rows:
                item = StockItem(product_id=pid, on_hand=0, reserved=0, shipped=0)
                session.add(item)
                rows[pid] = item
        session.flush()
    return rows


def reserve(session: Session, quantities: Mapping[int, int]) -> None:
    """Reserve all quantities or none; raises :class:`InsufficientStock` listing every shortfall."""
    items = lock_items(session, quantities)
    short = []
    for pid in sorted(quantities):
        item = items.get(pid)
        available = item.available if item else 0
        if quantities[pid] > available:
            short.append((pid, quantities[pid], available))
    if short:
        detail = "; ".join(f"product {p}: asked {q}, available {a}" for p, q, a in short)
        raise InsufficientStock(f"not enough stock — {detail}",
                                hint="lower the quantities or wait for a stock receipt",
                                shortfalls=[{"product_id": p, "requested": q, "available": a}
                                            for p, q, a in short])
    for pid, qty in quantities.items():
        items[pid].reserved += qty
    session.flush()


def release(session: Session, quantities: Mapping[int, int]) -> None:
    """Give reserved quantities back (cancelled or expired order)."""
    items = lock_items(session, quantities)
    for pid in sorted(quantities):
        item = items.get(pid)
        if item is None or item.reserved < quantities[pid]:
            raise StockInconsistent(f"product {pid}: cannot release {quantities[pid]}, "
                                    f"only {item.reserved if item else 0} reserved")
        item.reserved -= quantities[pid]
    session.flush()


def ship(session: Session, quantities: Mapping[int, int]) -> None:
    """Reserved stock leaves the warehouse: on hand and reserved go down, shipped up."""
    items = lock_items(session, quantities)
    for pid in sorted(quantities):
        item = items.get(pid)
        qty = quantities[pid]
        if item is None or item.reserved < qty:
            raise StockInconsistent(f"product {pid}: cannot ship {qty}, only "
                                    f"{item.reserved if item else 0} reserved")
        item.reserved -= qty
        item.on_hand -= qty
        item.shipped += qty
    session.flush()


def receive(session: Session, product_id: int, quantity: int, *, reference: str = "",
            received_by: str = "") -> StockItem:
    """Book a stock receipt (purchase arrived) and raise on hand."""
    if quantity <= 0:
        raise DataError(f"a receipt needs a positive quantity, got {quantity}",
                        hint="corrections downward are not receipts")
    item = lock_items(session, [product_id], create=True)[product_id]
    item.on_hand += quantity
    session.add(StockReceipt(product_id=product_id, quantity=quantity, reference=reference,
                             received_by=received_by))
    session.flush()
    return item


def levels(session: Session, product_ids: Iterable[int] | None = None) -> list[StockItem]:
    stmt = select(StockItem).order_by(StockItem.product_id)
    if product_ids is not None:
        stmt = stmt.where(StockItem.product_id.in_(list(product_ids)))
    return list(session.execute(stmt).scalars())
