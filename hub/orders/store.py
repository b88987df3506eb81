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

from functools import lru_cache
from typing import Any, Callable, Optional

from sqlalchemy import Select, Text, bindparam, cast, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from hub.core.db import insert_rows, table_of
from hub.orders.models import InvoiceCounter, Order, OrderLine
from hub.orders.numbering import format_invoice, next_invoice_number, set_number

Marks = Callable[[int], tuple[int, str]]  # order id -> (unique code, payment reference)

_ORDERS, _LINES, _COUNTERS = table_of(Order), table_of(OrderLine), table_of(InvoiceCounter)
_ORDER_COLUMNS = tuple(c.key for c in _ORDERS.columns if c.key != "id")
_LINE_COLUMNS = tuple(c.key for c in _LINES.columns if c.key not in ("id", "order_id"))
_INSERT_ORDER = insert(_ORDERS).returning(_ORDERS.c.id)
_NEXT_ID = select(func.nextval(func.pg_get_serial_sequence("orders", "id")))  # PostgreSQL only


def insert_order(session: Session, order: Order, *, placed_in: Optional[int] = None,
                 marks: Optional[Marks] = None, with_id: Callable[[Order], None] = lambda order: None) -> None:
    """Write ``order`` and its lines; with ``placed_in`` (a year) also number it (``marks`` gives the
    transfer's unique code and reference from the id). Sets ``order.id`` and the numbers on the object,
    which stays outside the session. ``with_id(order)`` runs once the id is known and before the
    invoice counter is locked: work that needs the id but not the number (the audit rows)."""
    conn = session.connection()
    if placed_in is not None and marks is not None and conn.dialect.name == "postgresql":
        order.id = conn.execute(_NEXT_ID).scalar_one()
        with_id(order)
        order.unique_code, order.payment_reference = marks(order.id)
        params = {c: getattr(order, c) for c in _ORDER_COLUMNS if c != "invoice_number"}
        params.update({"id": order.id, "year": placed_in, "prefix": format_invoice(placed_in, 0)[:-6]})
        for i, line in enumerate(order.lines):
            params.update({f"{c}_{i}": getattr(line, c) for c in _LINE_COLUMNS})
        order.invoice_number = conn.execute(_placed_in_one(len(order.lines)), params).scalar_one()
        return
    order.id = conn.execute(_INSERT_ORDER, {c: getattr(order, c) for c in _ORDER_COLUMNS}).scalar_one()
    insert_rows(session, _LINES, [{"order_id": order.id, **{c: getattr(ln, c) for c in _LINE_COLUMNS}}
                                  for ln in order.lines])
    with_id(order)
    if placed_in is not None and marks is not None:
        order.unique_code, order.payment_reference = marks(order.id)
        order.invoice_number = next_invoice_number(session, placed_in)
        set_number(session, order.id, invoice_number=order.invoice_number, unique_code=order.unique_code,
                   payment_reference=order.payment_reference)


@lru_cache(maxsize=64)
def _placed_in_one(n_lines: int) -> Select[Any]:
    """Bump the counter, insert the numbered order and its ``n_lines`` lines; select the number."""
    counter = (pg_insert(_COUNTERS).values(year=bindparam("year"), last=1)
               .on_conflict_do_update(index_elements=[_COUNTERS.c.year], set_={"last": _COUNTERS.c.last + 1})
               .returning(_COUNTERS.c.last).cte("counter"))
    digits = cast(counter.c.last, Text)
    number = bindparam("prefix", type_=Text) + func.lpad(digits, func.greatest(6, func.length(digits)), "0")
    columns = [c for c in _ORDER_COLUMNS if c != "invoice_number"]
    row = select(bindparam("id", type_=_ORDERS.c.id.type),
                 *(bindparam(c, type_=_ORDERS.c[c].type) for c in columns), number).select_from(counter)
    placed = (insert(_ORDERS).from_select(["id", *columns, "invoice_number"], row)
              .returning(_ORDERS.c.invoice_number).cte("placed"))
    # Inside a CTE SQLAlchemy cannot fetch the lines' serial ids afterwards: let the server fill them.
    lines = insert(_LINES).values([{"id": literal_column("DEFAULT"),
                                    "order_id": bindparam("id", type_=_LINES.c.order_id.type),
                                    **{c: bindparam(f"{c}_{i}", type_=_LINES.c[c].type) for c in _LINE_COLUMNS}}
                                   for i in range(n_lines)]).cte("lines")
    return select(placed.c.invoice_number).add_cte(lines)
