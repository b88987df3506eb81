"""portal_0001 creates exactly what the models declare: the portal's tables, the variant columns
of catalog products and the down payment, ship-to and option columns of orders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hub.core.db import make_engine
from hub.core.migrate import alembic_config, upgrade
from tests.hub.schemakit import drift, upgrade_all_but

TABLES = ("portal_", "catalog_products", "orders", "order_lines")


def _trigger_kept(diff: object) -> bool:
    """orders_0002 keeps orders.offer_id -> offers on SQLite as triggers (rebuilding ``orders``
    would cascade into its lines), so SQLite reflects no foreign key there: not drift."""
    if not (isinstance(diff, tuple) and diff[0] == "add_fk"):
        return False
    fk = diff[1]
    return fk.table.name == "orders" and [c.name for c in fk.columns] == ["offer_id"]


def test_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    diffs = drift(f"sqlite:///{tmp_path / 'hub.db'}", TABLES)
    assert [d for d in diffs if not _trigger_kept(d)] == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_database: str) -> None:
    url = pg_database.replace("postgresql://", "postgresql+psycopg://", 1)
    assert drift(url, TABLES) == []


def _row(conn: Any, table: str, given: dict[str, Any]) -> None:
    """Insert ``given`` plus a plain value for every other required column (raw SQL: the models
    already declare portal_0001's columns, which this database does not have yet)."""
    values = dict(given)
    for _, name, kind, notnull, default, pk in conn.execute(sa.text(f"PRAGMA table_info({table})")):
        if name in values or not notnull or default is not None or pk:
            continue
        kind = (kind or "").upper()
        if any(k in kind for k in ("INT", "NUM", "DEC", "BOOL")):
            values[name] = 0
        elif "DATE" in kind or "TIME" in kind:
            values[name] = "2026-01-01 00:00:00"
        else:
            values[name] = "{}" if "JSON" in kind else "x"
    names = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)


def test_a_hub_with_orders_upgrades_on_sqlite(tmp_path: Path) -> None:
    """A hub that already took orders (main's schema, orders_0002's references) gets the portal's
    columns without rebuilding catalog_products: SQLite refuses to drop a table that order lines
    point at while foreign keys are on, and a rebuild of orders would lose its triggers."""

    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        upgrade_all_but(cfg, {"portal_0001"})
    with engine.begin() as conn:
        _row(conn, "resellers", {"id": "r1"})
        _row(conn, "catalog_products", {"id": 1, "sku": "KAOS"})
        _row(conn, "orders", {"id": 1, "reseller_id": "r1", "offer_id": None})
        _row(conn, "order_lines", {"id": 1, "order_id": 1, "product_id": 1, "quantity": 2})
    assert upgrade(engine) == {"portal_0001"}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT quantity, options FROM order_lines")).one() == (2, "")
        assert conn.execute(sa.text("SELECT sku, model_id FROM catalog_products")).one() == (
            "KAOS",
            None,
        )
        triggers = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        assert "orders_offer_fk_insert" in {t for (t,) in triggers}
        fks = sa.inspect(conn).get_foreign_keys("catalog_products")
        assert [(f["constrained_columns"], f["referred_table"]) for f in fks] == [
            (["model_id"], "catalog_products")
        ]
    engine.dispose()
