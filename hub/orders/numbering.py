"""Gap-free invoice numbers per year: ``INV/2026/000123``.

The year's counter row is bumped inside the placing transaction with one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL and SQLite ≥ 3.35):
the update holds the row lock until the transaction ends, so concurrent
placements queue on it, and a rolled-back placement rolls its number back
too — no number is skipped or given twice. The counter is the last thing a
placement touches, so its lock is held for as short a time as possible (on
PostgreSQL :mod:`hub.orders.store` bumps it in the statement that writes the order).
"""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hub.core.db import table_of
from hub.orders.models import InvoiceCounter, Order

_COUNTERS = table_of(InvoiceCounter)
_BUMP = {
    dialect: (
        insert(_COUNTERS)
        .values(year=bindparam("year"), last=1)
        .on_conflict_do_update(
            index_elements=[_COUNTERS.c.year], set_={"last": _COUNTERS.c.last + 1}
        )
        .returning(_COUNTERS.c.last)
    )
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def next_invoice_number(session: Session, year: int) -> str:
    conn = session.connection()
    last = conn.execute(_BUMP[conn.dialect.name], {"year": year}).scalar_one()
    return format_invoice(year, int(last))


_ORDERS = table_of(Order)
_SET_NUMBER = (
    update(_ORDERS)
    .where(_ORDERS.c.id == bindparam("order_id"))
    .values(
        invoice_number=bindparam("invoice_number"),
        unique_code=bindparam("unique_code"),
        payment_reference=bindparam("payment_reference"),
    )
)


def set_number(
    session: Session,
    order_id: int,
    *,
    invoice_number: str,
    unique_code: int,
    payment_reference: str,
) -> None:
    """Store a written order's invoice number with the transfer's unique code and reference."""
    session.connection().execute(
        _SET_NUMBER,
        {
            "order_id": order_id,
            "invoice_number": invoice_number,
            "unique_code": unique_code,
            "payment_reference": payment_reference,
        },
    )


def format_invoice(year: int, n: int) -> str:
    return f"INV/{year}/{n:06d}"


def transfer_marks(order_id: int) -> tuple[int, str]:
    """The unique code added to the amount (finds the transfer in a bank statement) and the reference."""
    return (order_id - 1) % 999 + 1, f"SH{order_id:08d}"


def transfer_marks_sql(order_id: str) -> tuple[str, str]:
    """:func:`transfer_marks` as PostgreSQL expressions of the SQL expression ``order_id`` (the
    statement that numbers an order takes its id from the sequence itself)."""
    digits = f"{order_id}::text"
    return (
        f"({order_id} - 1) % 999 + 1",
        f"'SH' || lpad({digits}, greatest(8, length({digits})), '0')",
    )
