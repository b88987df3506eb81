"""SQLite passes the connector conformance suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.connectors.conformance import connector_test_class
from tests.connectors.kits import SqliteKit


@pytest.fixture
def kit(tmp_path: Path) -> SqliteKit:
    return SqliteKit(tmp_path)


TestSqliteConformance = connector_test_class()
