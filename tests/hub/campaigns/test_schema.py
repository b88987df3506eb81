"""The campaigns revision creates exactly what the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import hub.campaigns.models  # noqa: F401  (the tables compared)
from hub.core.db import Base, make_engine
from hub.core.migrate import upgrade


def _campaign_tables(obj: object, name: str, kind: str, reflected: bool, other: object) -> bool:
    table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", "")
    return str(table).startswith("campaign")


def _drift(url: str) -> list[object]:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"include_object": _campaign_tables, "compare_type": True}
        )
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    return diff


def test_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    assert _drift(f"sqlite:///{tmp_path / 'hub.db'}") == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_database: str) -> None:
    assert _drift(pg_database.replace("postgresql://", "postgresql+psycopg://", 1)) == []
