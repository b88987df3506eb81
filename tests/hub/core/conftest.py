"""Both databases the hub runs on, for the core's statement helpers."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty SQLite file or a fresh PostgreSQL database (the real server, psycopg)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'core.db'}"
    return str(request.getfixturevalue("pg_database")).replace(
        "postgresql://", "postgresql+psycopg://", 1
    )
