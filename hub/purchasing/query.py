"""One page of a list and the count of all its rows (the lists of suppliers, orders, invoices)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE = 500


def paged(
    session: Session, stmt: Select[Any], order_by: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    """Rows ``offset`` to ``offset + limit`` (at most 500) of ``stmt`` and the total count."""
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(*order_by).limit(min(max(limit, 1), MAX_PAGE)).offset(max(offset, 0))
    )
    return list(rows), count
