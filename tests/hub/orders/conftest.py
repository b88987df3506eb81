from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub.orders.helpers import Hub, open_db


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """A migrated SQLite hub database (file-backed: WAL and real concurrency)."""
    h = open_db(f"sqlite:///{tmp_path / 'hub.db'}")
    yield h
    h.engine.dispose()


@pytest.fixture
def pg_hub(pg_database: str) -> Iterator[Hub]:
    """A migrated hub on a fresh real PostgreSQL database."""
    h = open_db(
        pg_database.replace("postgresql://", "postgresql+psycopg://", 1),
        pool_size=20,
        max_overflow=20,
    )
    yield h
    h.engine.dispose()
