"""Writing a new order: its row, its lines and, when it is placed, its invoice number.

The hot path of the hub, in Core statements built once. On PostgreSQL a placed
order takes its id from the sequence first, then ONE statement bumps the
year's invoice counter and inserts the complete order row and its lines (data-
modifying CTEs): the counter's row lock is held for one round trip less, and
the fresh row is never updated (an UPDATE of a numbered column writes a new
version of the row into every index). SQLite inserts the row and its lines,
then numbers the order (:mod:`hub.orders.numbering`).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from sqlalchemy import TextClause, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from hub.core.bulk import insert_rows, recordset_sql, rows_json
from hub.core.db import table_of
from hub.orders.models import Order, OrderLine
from hub.orders.numbering import format_invoice, next_invoice_number, set_number

Marks = Callable[[int], tuple[int, str]]  # order id -> (unique code, payment reference)

_ORDERS, _LINES = table_of(Order), table_of(OrderLine)
_ORDER_COLUMNS = tuple(c.key for c in _ORDERS.columns if c.key != "id")
_LINE_COLUMNS = tuple(c.key for c in _LINES.columns if c.key not in ("id", "order_id"))
_INSERT_ORDER = insert(_ORDERS).returning(_ORDERS.c.id)
_NEXT_ID = select(func.nextval(func.pg_get_serial_sequence("orders", "id")))  # PostgreSQL only


def insert_order(session: Session, order: Order, *, marks: Marks, placed_in: Optional[int] = None,
                 with_id: Callable[[Order], None] = lambda order: None) -> None:
    """Write ``order`` and its lines; with ``placed_in`` (a year) also number it (``marks`` gives the
    transfer's unique code and reference from the id). Sets ``order.id`` and the numbers on the object,
    which stays outside the session. ``with_id(order)`` runs once the id is known and before the
    invoice counter is locked: work that needs the id but not the number (the audit rows)."""
    conn = session.connection()
    if placed_in is not None and conn.dialect.name == "postgresql":
        order.id = conn.execute(_NEXT_ID).scalar_one()
        with_id(order)
        order.unique_code, order.payment_reference = marks(order.id)
        params = {c: getattr(order, c) for c in _ORDER_COLUMNS if c != "invoice_number"}
        params.update({"id": order.id, "year": placed_in, "prefix": format_invoice(placed_in, 0)[:-6]})
        params["lines"] = rows_json(_line_rows(order))
        order.invoice_number = conn.execute(_PLACED_IN_ONE, params).scalar_one()
        return
    order.id = conn.execute(_INSERT_ORDER, {c: getattr(order, c) for c in _ORDER_COLUMNS}).scalar_one()
    insert_rows(conn, _LINES, [{"order_id": order.id, **row} for row in _line_rows(order)])
    with_id(order)
    if placed_in is not None:
        order.unique_code, order.payment_reference = marks(order.id)
        order.invoice_number = next_invoice_number(session, placed_in)
        set_number(session, order.id, invoice_number=order.invoice_number, unique_code=order.unique_code,
                   payment_reference=order.payment_reference)


def _placed_in_one_sql() -> TextClause:
    """Bump the counter, insert the numbered order and its lines (a JSON record set)."""
    columns = [c for c in _ORDER_COLUMNS if c != "invoice_number"]
    sql = f"""
        WITH counter AS (
            INSERT INTO invoice_counters (year, last) VALUES (:year, 1)
            ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1
            RETURNING last),
        placed AS (
            INSERT INTO orders (id, {", ".join(columns)}, invoice_number)
            SELECT :id, {", ".join(f":{c}" for c in columns)},
                   :prefix || lpad(counter.last::text, greatest(6, length(counter.last::text)), '0')
              FROM counter
            RETURNING invoice_number),
        lines AS (
            INSERT INTO order_lines (order_id, {", ".join(_LINE_COLUMNS)})
            SELECT :id, {", ".join(_LINE_COLUMNS)} FROM {recordset_sql(_LINES, "lines")})
        SELECT invoice_number FROM placed"""
    return text(sql).bindparams(*(bindparam(c, type_=_ORDERS.c[c].type) for c in columns))


def _line_rows(order: Order) -> list[dict[str, Any]]:
    return [{c: getattr(line, c) for c in _LINE_COLUMNS} for line in order.lines]


_PLACED_IN_ONE = _placed_in_one_sql()
