"""What SQL the hub ran: a test kit for merge tests that check which statements a path takes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker


@contextmanager
def statements(db: sessionmaker[Session]) -> Iterator[list[str]]:
    """SQL text of every statement run on the factory's engine meanwhile."""
    engine = db.kw["bind"]
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
