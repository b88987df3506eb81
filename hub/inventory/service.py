"""Reservation that cannot oversell, on SQLite and PostgreSQL.

Every mutation follows one recipe: sum the quantities per product, lock the
stock rows in ascending product id order (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` from ``hub.core.db`` already holds
the database write lock), check, then change. Two orders over overlapping
products therefore always take their locks in the same order: no deadlock.
On PostgreSQL a reservation (the order path) runs that recipe as one statement.
Nothing here commits — the caller's transaction owns the unit of work.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core.bulk import rows_json, update_rows
from hub.core.db import table_of
from hub.core.driver import Direct
from hub.inventory import bins
from hub.inventory.models import StockItem, StockReceipt
from shared.errors import Conflict, DataError, NotFound, problem


class InsufficientStock(Conflict):
    """Not enough unreserved stock for one or more products (nothing was reserved)."""


class StockInconsistent(Conflict):
    """A release or shipment asks for more than is reserved: a bug or a double action."""


def summed(lines: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Quantities per product, summed (an order may list a product twice)."""
    total: dict[int, int] = defaultdict(int)
    for product_id, qty in lines:
        if qty <= 0:
            raise DataError(
                "product #{product_id}: quantity must be a positive whole number, got {quantity}",
                product_id=product_id,
                quantity=qty,
            )
        total[int(product_id)] += int(qty)
    return dict(total)


def lock_items(
    session: Session, product_ids: Iterable[int], *, create: bool = False
) -> dict[int, StockItem]:
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


Levels = tuple[int, int, int]  # new (on hand, reserved, shipped)
Step = Callable[
    [int, int, Any], "Levels | Any"
]  # (product id, quantity, locked row or None) -> levels or a problem
_STOCK = table_of(StockItem)
_LOCK = (
    select(_STOCK.c.product_id, _STOCK.c.on_hand, _STOCK.c.reserved, _STOCK.c.shipped)
    .where(_STOCK.c.product_id.in_(bindparam("ids", expanding=True)))
    .order_by(_STOCK.c.product_id)
)
_LOCK_FOR_UPDATE = _LOCK.with_for_update()


def _change(session: Session, quantities: Mapping[int, int], step: Step) -> list[Any]:
    """Lock the rows (ascending id), compute every new level with ``step``, then write them all.

    ``step(product_id, quantity, row)`` returns the new levels (a tuple) or a problem; the
    problems are returned and then nothing is written. Core statements built once: this is
    the order path's hottest part.
    """
    ids = sorted(quantities)
    if not ids:
        return []
    conn = session.connection()
    lock = (
        _LOCK if conn.dialect.name == "sqlite" else _LOCK_FOR_UPDATE
    )  # SQLite: BEGIN IMMEDIATE holds the lock
    rows = {r.product_id: r for r in conn.execute(lock, {"ids": ids})}
    writes, problems = [], []
    for pid in ids:
        out = step(pid, quantities[pid], rows.get(pid))
        if isinstance(out, tuple):
            writes.append(
                {"product_id": pid, "on_hand": out[0], "reserved": out[1], "shipped": out[2]}
            )
        else:
            problems.append(out)
    if problems:
        return problems
    update_rows(conn, _STOCK, "product_id", writes)
    _expire(session, ids)
    return []


def _expire(session: Session, product_ids: Iterable[int]) -> None:
    """ORM copies of these stock rows in this session are stale after a Core write."""
    for pid in product_ids:
        item = session.identity_map.get(session.identity_key(StockItem, pid))
        if item is not None:
            session.expire(item)


def _reserve_step(pid: int, qty: int, row: Any) -> Levels | dict[str, int]:
    available = row.on_hand - row.reserved if row is not None else 0
    if row is None or qty > available:
        return {"product_id": pid, "requested": qty, "available": available}
    return row.on_hand, row.reserved + qty, row.shipped


# PostgreSQL: the same recipe in one statement (the order path's). ``locked`` takes the row locks in
# ascending id; ``short`` checks every line against the locked rows; ``done`` writes only when nothing
# is short (data-modifying CTEs run after the main query, which reads ``short``: locks first).
_RESERVE_IN_ONE = Direct(
    text(f"""
    WITH want AS (
        SELECT product_id, quantity FROM json_to_recordset(CAST(:want AS json)) AS w(product_id int, quantity int)),
    locked AS (
        SELECT s.product_id, s.on_hand, s.reserved FROM {_STOCK.name} s JOIN want USING (product_id)
         ORDER BY s.product_id FOR UPDATE OF s),
    short AS (
        SELECT w.product_id, w.quantity AS requested, coalesce(l.on_hand - l.reserved, 0) AS available
          FROM want w LEFT JOIN locked l USING (product_id)
         WHERE l.product_id IS NULL OR w.quantity > l.on_hand - l.reserved),
    done AS (
        UPDATE {_STOCK.name} s SET reserved = s.reserved + w.quantity FROM want w
         WHERE s.product_id = w.product_id AND NOT EXISTS (SELECT FROM short))
    SELECT product_id, requested, available FROM short ORDER BY product_id""")
)


def reserve(session: Session, quantities: Mapping[int, int]) -> None:
    """Reserve all quantities or none; raises :class:`InsufficientStock` listing every shortfall."""
    conn = session.connection()
    if conn.dialect.name == "postgresql" and quantities:
        want = rows_json([{"product_id": pid, "quantity": qty} for pid, qty in quantities.items()])
        short = [r._asdict() for r in _RESERVE_IN_ONE.rows(conn, {"want": want})]
        _expire(session, quantities)
    else:
        short = _change(session, quantities, _reserve_step)
    if short:
        raise InsufficientStock(
            "not enough stock for {count} product(s)",
            hint="lower the quantities or wait for a stock receipt",
            shortfalls=short,
            count=len(short),
            problems=[
                problem(
                    f"product #{s['product_id']}",
                    "asked {requested}, available {available}",
                    requested=s["requested"],
                    available=s["available"],
                )
                for s in short
            ],
        )


def _from_reserved(verb: str, levels: Callable[[Any, int], Levels]) -> Step:
    """A step that needs ``quantity`` reserved first (release, ship); its problem is a sentence."""

    def step(pid: int, qty: int, row: Any) -> Levels | str:
        if row is None or row.reserved < qty:
            return f"product {pid}: cannot {verb} {qty}, only {row.reserved if row is not None else 0} reserved"
        return levels(row, qty)

    return step


_RELEASE = _from_reserved("release", lambda r, q: (r.on_hand, r.reserved - q, r.shipped))
_SHIP = _from_reserved("ship", lambda r, q: (r.on_hand - q, r.reserved - q, r.shipped + q))


def release(session: Session, quantities: Mapping[int, int]) -> None:
    """Give reserved quantities back (cancelled or expired order)."""
    if problems := _change(session, quantities, _RELEASE):
        raise StockInconsistent("the stock cannot be released", problems=problems)


def ship(
    session: Session, quantities: Mapping[int, int], *, warehouse_id: int | None = None
) -> dict[int, dict[int | None, int]]:
    """Reserved stock leaves: on hand and reserved go down, shipped up; bins give the units.

    Returns where the units came from (product → {warehouse or None for unassigned: units}).
    """
    if problems := _change(session, quantities, _SHIP):
        raise StockInconsistent("the stock cannot be shipped", problems=problems)
    return bins.take(session, quantities, prefer=warehouse_id)


def issue(
    session: Session, quantities: Mapping[int, int], *, warehouse_id: int | None = None
) -> dict[int, dict[int | None, int]]:
    """Stock leaves without an order (a warranty replacement): reserve and ship in one step.

    Raises :class:`InsufficientStock` (nothing moved) when the units are not available.
    """
    reserve(session, quantities)
    return ship(session, quantities, warehouse_id=warehouse_id)


def take_back(session: Session, product_id: int, quantity: int, warehouse_id: int | None) -> None:
    """Undo a receipt: the units leave on hand (and their warehouse) again.

    Refused when they are no longer free (reserved by orders or shipped): reversing then
    would make stock negative or break a reservation.
    """
    item = lock_items(session, [product_id]).get(product_id)
    free = item.on_hand - item.reserved if item is not None else 0
    if item is None or free < quantity:
        raise InsufficientStock(
            "product #{product_id}: {quantity} to take back, only {free} free in stock",
            hint="the goods were reserved or shipped since: correct with an adjustment instead",
            shortfalls=[{"product_id": product_id, "requested": quantity, "available": free}],
            product_id=product_id,
            quantity=quantity,
            free=free,
        )
    if warehouse_id is not None:
        bins.take_from(session, warehouse_id, product_id, quantity)
    item.on_hand -= quantity
    session.flush()


def receive(
    session: Session,
    product_id: int,
    quantity: int,
    *,
    reference: str = "",
    received_by: str = "",
    warehouse_id: int | None = None,
) -> StockItem:
    """Book a stock receipt (purchase arrived) and raise on hand, in ``warehouse_id``'s bin.

    Without a warehouse the units go to the first active one (or stay unassigned when the
    hub has no warehouse yet).
    """
    if quantity <= 0:
        raise DataError(
            "a receipt needs a positive quantity, got {quantity}",
            hint="corrections downward are not receipts",
            quantity=quantity,
        )
    if session.get(Product, product_id) is None:
        raise NotFound(
            "no product #{product_id}",
            hint="receive products of the catalog",
            product_id=product_id,
        )
    item = lock_items(session, [product_id], create=True)[product_id]
    item.on_hand += quantity
    where = warehouse_id if warehouse_id is not None else bins.default_warehouse(session)
    if where is not None:
        bins.put(session, where, product_id, quantity)
    session.add(
        StockReceipt(
            product_id=product_id,
            quantity=quantity,
            reference=reference,
            received_by=received_by,
            warehouse_id=where,
        )
    )
    session.flush()
    return item


def levels(session: Session, product_ids: Iterable[int] | None = None) -> list[StockItem]:
    stmt = select(StockItem).order_by(StockItem.product_id)
    if product_ids is not None:
        stmt = stmt.where(StockItem.product_id.in_(list(product_ids)))
    return list(session.execute(stmt).scalars())
