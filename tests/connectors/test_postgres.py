"""PostgreSQL passes the connector conformance suite (real server from tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.connectors.conformance import connector_test_class
from tests.connectors.kits import PostgresKit


@pytest.fixture
def kit(postgres_server: Any, pg_database: str) -> PostgresKit:
    return PostgresKit(postgres_server, pg_database)


TestPostgresConformance = connector_test_class()
