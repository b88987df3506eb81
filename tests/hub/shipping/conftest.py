"""One SQLite hub database per test session with the real region data imported once.

Tests that change rate cards, warehouses or territories clean them up through
the ``db`` fixture so they can share the (2 s) region import.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from hub.core.db import make_engine, session_factory
from hub.core.migrate import upgrade
from hub.shipping.cache import forget_cached
from hub.shipping.models import RateCard, ResellerAddress, ResellerTerritory, Warehouse
from hub.shipping.regionimport import RegionImportReport, import_regions
from tests.hub.shipping.helpers import FakeProvider, Handler


@pytest.fixture(scope="session")
def region_db(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Engine, RegionImportReport]]:
    path: Path = tmp_path_factory.mktemp("shipping") / "hub.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as conn:
        report = import_regions(conn)
    yield engine, report
    engine.dispose()


@pytest.fixture
def engine(region_db: tuple[Engine, RegionImportReport]) -> Engine:
    return region_db[0]


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    factory = session_factory(engine)
    with factory() as session:
        yield session
        session.rollback()
    with factory() as session, session.begin():
        for model in (RateCard, ResellerAddress, ResellerTerritory, Warehouse):
            session.execute(delete(model))
    forget_cached()


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    server = FakeProvider(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
