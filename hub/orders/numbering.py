"""Gap-free invoice numbers per year: ``INV/2026/000123``.

The year's counter row is locked and bumped inside the placing transaction:
a rolled-back placement rolls its number back too, so no number is skipped.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hub.orders.models import InvoiceCounter


def next_invoice_number(session: Session, year: int) -> str:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(InvoiceCounter).values(year=year, last=0).on_conflict_do_nothing())
    stmt = select(InvoiceCounter).where(InvoiceCounter.year == year)
    if dialect != "sqlite":
        stmt = stmt.with_for_update()
    counter = session.execute(stmt).scalar_one()
    counter.last += 1
    session.flush()
    return format_invoice(year, counter.last)


def format_invoice(year: int, n: int) -> str:
    return f"INV/{year}/{n:06d}"
