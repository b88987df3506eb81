"""Fixtures of the ingest tests (helpers in ingest_kit.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from ingest_kit import Hub, make_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    h = make_hub(tmp_path)
    yield h
    h.engine.dispose()


@pytest.fixture
def pg_hub(tmp_path: Path, pg_database: str) -> Iterator[Hub]:
    h = make_hub(tmp_path, pg_database.replace("postgresql://", "postgresql+psycopg://", 1))
    yield h
    h.engine.dispose()
