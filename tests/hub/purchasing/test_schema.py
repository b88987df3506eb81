"""The Alembic revisions create exactly what the models of inventory, purchasing and warranty
declare (no drift between a model and its hand-written migration), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import hub
from hub.core.db import Base, make_engine
from hub.core.migrate import upgrade

MINE = ("inventory_", "purchasing_", "warranty_", "catalog_products")


def _mine(obj: object, name: str, kind: str, reflected: bool, compare_to: object) -> bool:
    table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", "")
    return str(table).startswith(MINE)


def _drift(url: str) -> list[object]:
    for m in pkgutil.walk_packages(hub.__path__, "hub."):
        if m.name.endswith(".models"):
            importlib.import_module(m.name)
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_object": _mine,
                "compare_type": True,
            },
        )
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    return diff


def test_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    assert _drift(f"sqlite:///{tmp_path / 'hub.db'}") == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_database: str) -> None:
    assert _drift(pg_database.replace("postgresql://", "postgresql+psycopg://", 1)) == []
