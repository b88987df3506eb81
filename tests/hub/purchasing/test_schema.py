"""The Alembic revisions create exactly what the models of inventory, purchasing and warranty
declare (no drift between a model and its hand-written migration), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hub.schemakit import drift

MINE = ("inventory_", "purchasing_", "warranty_", "catalog_products")


def _drift(url: str) -> list[object]:
    return drift(url, MINE)


def test_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    assert _drift(f"sqlite:///{tmp_path / 'hub.db'}") == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_database: str) -> None:
    assert _drift(pg_database.replace("postgresql://", "postgresql+psycopg://", 1)) == []


def test_every_order_of_the_branches_upgrades(tmp_path: Path) -> None:
    """Alembic orders independent branches by set iteration, which follows the string hash
    seed: a ``depends_on`` naming a revision already reached through another dependency made
    some seeds fail (KeyError in the version bookkeeping). Upgrade under several seeds."""
    code = (
        "import sys; from hub.core.db import make_engine; from hub.core.migrate import upgrade; "
        "upgrade(make_engine('sqlite:///' + sys.argv[1]))"
    )
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        db = tmp_path / f"seed{seed}.db"
        done = subprocess.run(
            [sys.executable, "-c", code, str(db)], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"seed {seed}: {done.stderr[-600:]}"
