"""The merge runs on SQLite and on a real PostgreSQL: every `db` test runs on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import make_engine, session_factory
from hub.core.migrate import upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated hub database (SQLite file or a fresh PostgreSQL database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.db'}"
    else:
        url = request.getfixturevalue("pg_database").replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    engine = make_engine(url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()
