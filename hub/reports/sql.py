"""What report queries need from the database in one dialect-neutral place.

* WIB calendar buckets of a UTC timestamp column (``2026-01``, ``2026-01-31``): WIB has no
  daylight saving, so SQLite shifts by seven hours and PostgreSQL converts to Asia/Jakarta.
* Exact money sums. PostgreSQL's ``numeric`` is exact; SQLite keeps decimals as binary
  floats, so there a sum is taken over whole cents (each value rounded to the cent first,
  then added as integers) and turned back into a ``Decimal``. Line costs are rounded to the
  cent per line in both dialects, so both give the same figures.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, func
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

CENT = Decimal("0.01")
_SQLITE_FORMAT = {"month": "%Y-%m", "day": "%Y-%m-%d", "year": "%Y"}
_PG_FORMAT = {"month": "YYYY-MM", "day": "YYYY-MM-DD", "year": "YYYY"}


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def bucket(session: Session, column: Any, unit: str) -> ColumnElement[str]:
    """The WIB ``month``/``day``/``year`` of a UTC timestamp column, as sortable text."""
    if dialect(session) == "postgresql":
        return func.to_char(func.timezone("Asia/Jakarta", column), _PG_FORMAT[unit])
    return func.strftime(_SQLITE_FORMAT[unit], column, "+7 hours")


def msum(session: Session, expr: Any) -> ColumnElement[Any]:
    """SUM of a money expression, exact in both dialects (read it back with :func:`money`)."""
    if dialect(session) == "postgresql":
        return func.coalesce(func.sum(expr), 0)
    return func.coalesce(func.sum(cast(func.round(expr * 100), Integer)), 0)


def cents(session: Session, expr: Any) -> ColumnElement[Any]:
    """A per-row amount rounded to the cent (line costs: quantity × a four-place average)."""
    return func.round(expr, 2)


def money(session: Session, value: Any) -> Decimal:
    """A value of :func:`msum` as exact rupiah with cents."""
    if value is None:
        return Decimal("0.00")
    if dialect(session) == "postgresql":
        return Decimal(value).quantize(CENT)
    return (Decimal(int(value)) / 100).quantize(CENT)


def owing(session: Session, amount: Any, paid: Any) -> ColumnElement[bool]:
    """``amount`` (an expression in rupiah) is more than ``paid`` (a :func:`msum` value)."""
    if dialect(session) == "postgresql":
        return amount > paid
    return func.round(amount * 100) > paid
