"""portal_0001 creates exactly what the models declare: the portal's tables, the variant columns
of catalog products and the down payment, ship-to and option columns of orders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.schema_drift import drift

TABLES = ("portal_", "catalog_products", "orders", "order_lines")


def test_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    assert drift(f"sqlite:///{tmp_path / 'hub.db'}", TABLES) == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_database: str) -> None:
    url = pg_database.replace("postgresql://", "postgresql+psycopg://", 1)
    assert drift(url, TABLES) == []
