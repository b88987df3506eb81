"""Writing a new order: its row, its lines and, when it is placed, its invoice number.

The hot path of the hub, in statements built once. On PostgreSQL ONE statement
places an order: it takes the id from the sequence, bumps the year's invoice
counter and inserts the complete order row (with the transfer's marks, derived
from the id), its lines and its companions (the audit entries), as data-
modifying CTEs — one round trip, and the fresh row is never updated (an UPDATE
of a numbered column writes a new version of the row into every index).
SQLite inserts the rows, then numbers the order (:mod:`hub.orders.numbering`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Optional, Sequence

from sqlalchemy import Table, bindparam, insert, text
from sqlalchemy.orm import Session

from hub.core.bulk import Rows, insert_rows, pg_type, recordset_sql, rows_json
from hub.core.db import table_of
from hub.core.driver import Direct
from hub.orders.models import Order, OrderLine
from hub.orders.numbering import (
    format_invoice,
    next_invoice_number,
    set_number,
    transfer_marks,
    transfer_marks_sql,
)


@dataclass(frozen=True)
class Companion:
    """Rows of another table written with the order; ``order_id_column`` gets the order's id."""

    table: Table
    rows: Rows
    order_id_column: str


_ORDERS, _LINES = table_of(Order), table_of(OrderLine)
_ORDER_COLUMNS = tuple(c.key for c in _ORDERS.columns if c.key != "id")
_LINE_COLUMNS = tuple(c.key for c in _LINES.columns if c.key not in ("id", "order_id"))
_NUMBERED = (
    "unique_code",
    "payment_reference",
    "invoice_number",
)  # computed by the placing statement
_INSERT_ORDER = insert(_ORDERS).returning(_ORDERS.c.id)


def insert_order(
    session: Session,
    order: Order,
    *,
    placed_in: Optional[int] = None,
    companions: Sequence[Companion] = (),
) -> None:
    """Write ``order``, its lines and its ``companions``; with ``placed_in`` (a year) also number it
    (invoice number, and the transfer's unique code and reference). Sets ``order.id`` and the numbers
    on the object, which stays outside the session."""
    conn = session.connection()
    extra = [c for c in companions if c.rows]
    if placed_in is not None and conn.dialect.name == "postgresql":
        params = {c: getattr(order, c) for c in _ORDER_COLUMNS if c not in _NUMBERED}
        params.update(
            {
                "year": placed_in,
                "prefix": format_invoice(placed_in, 0)[:-6],
                "lines": rows_json(_line_rows(order)),
            }
        )
        params.update({f"rows_{n}": rows_json(c.rows) for n, c in enumerate(extra)})
        shapes = tuple(
            (c.table, tuple(k for k in c.rows[0] if k != c.order_id_column), c.order_id_column)
            for c in extra
        )
        placed = _placed_in_one(shapes).rows(conn, params)[0]
        order.id, order.unique_code, order.payment_reference, order.invoice_number = placed
        return
    order.id = conn.execute(
        _INSERT_ORDER, {c: getattr(order, c) for c in _ORDER_COLUMNS}
    ).scalar_one()
    insert_rows(conn, _LINES, [{"order_id": order.id, **row} for row in _line_rows(order)])
    for c in extra:
        key = c.table.c[c.order_id_column].type.python_type(order.id)
        insert_rows(conn, c.table, [{**row, c.order_id_column: key} for row in c.rows])
    if placed_in is not None:
        order.unique_code, order.payment_reference = transfer_marks(order.id)
        order.invoice_number = next_invoice_number(session, placed_in)
        set_number(
            session,
            order.id,
            invoice_number=order.invoice_number,
            unique_code=order.unique_code,
            payment_reference=order.payment_reference,
        )


@cache
def _placed_in_one(extra: tuple[tuple[Table, tuple[str, ...], str], ...]) -> Direct:
    """Take an id, bump the counter, insert the numbered order, its lines and the ``extra`` tables'
    rows (JSON record sets ``:lines``, ``:rows_0``...); built once per set of extra tables and columns."""
    columns = [c for c in _ORDER_COLUMNS if c not in _NUMBERED]
    unique_code, reference = transfer_marks_sql("new.id")
    companions = "".join(
        f""",
        extra_{n} AS (
            INSERT INTO {table.name} ({", ".join(names)}, {id_column})
            SELECT {", ".join(names)}, CAST(new.id AS {pg_type(table.c[id_column])})
              FROM new, {recordset_sql(table, f"rows_{n}")})"""
        for n, (table, names, id_column) in enumerate(extra)
    )
    sql = f"""
        WITH new AS (
            SELECT nextval(pg_get_serial_sequence('{_ORDERS.name}', 'id')) AS id),
        counter AS (
            INSERT INTO invoice_counters (year, last) VALUES (:year, 1)
            ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1
            RETURNING last),
        placed AS (
            INSERT INTO {_ORDERS.name} (id, {", ".join(columns)}, {", ".join(_NUMBERED)})
            SELECT new.id, {", ".join(f":{c}" for c in columns)}, {unique_code}, {reference},
                   :prefix || lpad(counter.last::text, greatest(6, length(counter.last::text)), '0')
              FROM new, counter
            RETURNING id, {", ".join(_NUMBERED)}),
        lines AS (
            INSERT INTO {_LINES.name} (order_id, {", ".join(_LINE_COLUMNS)})
            SELECT new.id, {", ".join(_LINE_COLUMNS)} FROM new, {recordset_sql(_LINES, "lines")}){companions}
        SELECT id, {", ".join(_NUMBERED)} FROM placed"""
    return Direct(text(sql).bindparams(*(bindparam(c, type_=_ORDERS.c[c].type) for c in columns)))


def _line_rows(order: Order) -> list[dict[str, Any]]:
    return [{c: getattr(line, c) for c in _LINE_COLUMNS} for line in order.lines]
