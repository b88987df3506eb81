"""Small dialect-neutral SQL helpers the ingest modules share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT that does nothing on a unique conflict; True if a row was inserted."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(model).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(model).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - the hub supports SQLite and PostgreSQL only
        raise NotImplementedError(f"ingest does not support the {dialect} database")
    result = session.execute(stmt)
    assert isinstance(result, CursorResult)
    return bool(result.rowcount)
