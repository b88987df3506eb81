from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub.care.kit import CareDb, care_db
from tests.hub.orders.helpers import open_db
from tests.hub.web.webkit import Seeded, seed


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    """A fresh seeded web hub per test: tickets, clocks and counts never leak between tests."""
    return seed(tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CareDb]:
    """A migrated hub database on SQLite and on a real PostgreSQL: the timers, the escalation
    query and the CSAT sums must agree on both."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.db'}"
    else:
        dsn = request.getfixturevalue("pg_database")
        url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    opened = open_db(url)
    yield care_db(opened.factory)
    opened.engine.dispose()
