"""A folder of CSV and XLSX files passes the connector conformance suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.connectors.conformance import connector_test_class
from tests.connectors.kits import FilesKit


@pytest.fixture
def kit(tmp_path: Path) -> FilesKit:
    return FilesKit(tmp_path)


TestFilesConformance = connector_test_class()
