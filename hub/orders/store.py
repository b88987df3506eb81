"""Writing a new order: its row, its lines and, when it is placed, its invoice number.

The hot path of the hub, in statements built once. On PostgreSQL a placed
order takes its id from the sequence first, then ONE statement bumps the
year's invoice counter and inserts the complete order row, its lines and its
companions (the audit entries), as data-modifying CTEs: one round trip, and
the fresh row is never updated (an UPDATE of a numbered column writes a new
version of the row into every index). SQLite inserts the rows, then numbers
the order (:mod:`hub.orders.numbering`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable, Optional, Sequence

from sqlalchemy import Table, TextClause, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from hub.core.bulk import Rows, insert_rows, recordset_sql, rows_json
from hub.core.db import table_of
from hub.orders.models import Order, OrderLine
from hub.orders.numbering import format_invoice, next_invoice_number, set_number

Marks = Callable[[int], tuple[int, str]]  # order id -> (unique code, payment reference)
Companions = Callable[[int], Sequence[tuple[Table, Rows]]]  # order id -> rows of other tables naming it

_ORDERS, _LINES = table_of(Order), table_of(OrderLine)
_ORDER_COLUMNS = tuple(c.key for c in _ORDERS.columns if c.key != "id")
_LINE_COLUMNS = tuple(c.key for c in _LINES.columns if c.key not in ("id", "order_id"))
_INSERT_ORDER = insert(_ORDERS).returning(_ORDERS.c.id)
_NEXT_ID = select(func.nextval(func.pg_get_serial_sequence("orders", "id")))  # PostgreSQL only


def insert_order(session: Session, order: Order, *, marks: Marks, placed_in: Optional[int] = None,
                 companions: Companions = lambda order_id: ()) -> None:
    """Write ``order`` and its lines; with ``placed_in`` (a year) also number it (``marks`` gives the
    transfer's unique code and reference from the id). Sets ``order.id`` and the numbers on the object,
    which stays outside the session. ``companions(order_id)``: rows of other tables that name the
    order (its audit entries), written with it — on PostgreSQL in the same statement."""
    conn = session.connection()
    if placed_in is not None and conn.dialect.name == "postgresql":
        order.id = conn.execute(_NEXT_ID).scalar_one()
        order.unique_code, order.payment_reference = marks(order.id)
        extra = [(table, rows) for table, rows in companions(order.id) if rows]
        params = {c: getattr(order, c) for c in _ORDER_COLUMNS if c != "invoice_number"}
        params.update({"id": order.id, "year": placed_in, "prefix": format_invoice(placed_in, 0)[:-6],
                       "lines": rows_json(_line_rows(order))})
        params.update({f"rows_{n}": rows_json(rows) for n, (_, rows) in enumerate(extra)})
        statement = _placed_in_one(tuple((table, tuple(rows[0])) for table, rows in extra))
        order.invoice_number = conn.execute(statement, params).scalar_one()
        return
    order.id = conn.execute(_INSERT_ORDER, {c: getattr(order, c) for c in _ORDER_COLUMNS}).scalar_one()
    insert_rows(conn, _LINES, [{"order_id": order.id, **row} for row in _line_rows(order)])
    for table, rows in companions(order.id):
        insert_rows(conn, table, rows)
    if placed_in is not None:
        order.unique_code, order.payment_reference = marks(order.id)
        order.invoice_number = next_invoice_number(session, placed_in)
        set_number(session, order.id, invoice_number=order.invoice_number, unique_code=order.unique_code,
                   payment_reference=order.payment_reference)


@cache
def _placed_in_one(extra: tuple[tuple[Table, tuple[str, ...]], ...]) -> TextClause:
    """Bump the counter, insert the numbered order, its lines and the ``extra`` tables' rows
    (JSON record sets ``:lines``, ``:rows_0``...); built once per set of extra tables and columns."""
    columns = [c for c in _ORDER_COLUMNS if c != "invoice_number"]
    companions = "".join(
        f""",
        extra_{n} AS (
            INSERT INTO {table.name} ({", ".join(names)})
            SELECT {", ".join(names)} FROM {recordset_sql(table, f"rows_{n}")})"""
        for n, (table, names) in enumerate(extra))
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
            SELECT :id, {", ".join(_LINE_COLUMNS)} FROM {recordset_sql(_LINES, "lines")}){companions}
        SELECT invoice_number FROM placed"""
    return text(sql).bindparams(*(bindparam(c, type_=_ORDERS.c[c].type) for c in columns))


def _line_rows(order: Order) -> list[dict[str, Any]]:
    return [{c: getattr(line, c) for c in _LINE_COLUMNS} for line in order.lines]

