"""MariaDB (MySQL protocol) passes the connector conformance suite (real server from tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.connectors.conformance import connector_test_class
from tests.connectors.kits import MysqlKit


@pytest.fixture
def kit(mariadb_server: Any, mariadb_database: str) -> MysqlKit:
    return MysqlKit(mariadb_server, mariadb_database)


TestMysqlConformance = connector_test_class()
