"""The campaigns revision creates exactly what the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hub.schemakit import drift

CAMPAIGN_TABLES = ("campaign",)


def test_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    assert drift(f"sqlite:///{tmp_path / 'hub.db'}", CAMPAIGN_TABLES) == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_database: str) -> None:
    url = pg_database.replace("postgresql://", "postgresql+psycopg://", 1)
    assert drift(url, CAMPAIGN_TABLES) == []
