"""Rows written in one statement (hub.core.bulk) are stored exactly as one by one, on both databases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from hub.core.bulk import insert_rows, update_rows
from tests.hub.core.things import META, NAME_LENGTH, ROWS, THINGS


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = create_engine(database_url)
    META.create_all(eng)
    yield eng
    eng.dispose()


def stored(eng: Engine) -> list[dict[str, Any]]:
    with eng.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(THINGS).order_by(THINGS.c.id))]


def test_insert_rows_stores_every_value(engine: Engine) -> None:
    with engine.begin() as conn:
        insert_rows(conn, THINGS, ROWS)
        insert_rows(conn, THINGS, [])  # nothing to write is not an error
    assert stored(engine) == ROWS


def test_update_rows_changes_only_the_keyed_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        insert_rows(conn, THINGS, ROWS)
        update_rows(
            conn,
            THINGS,
            "id",
            [
                {"id": 3, "price": Decimal("1.00"), "doc": {"v": 2}},
                {"id": 1, "price": Decimal("2.00"), "doc": None},
            ],
        )
    after = stored(engine)
    assert [(r["id"], r["price"], r["doc"]) for r in after] == [
        (1, Decimal("2.00"), None),
        (2, Decimal("0.10"), {"note": "kacang"}),
        (3, Decimal("1.00"), {"v": 2}),
    ]
    assert [r["name"] for r in after] == ["bolt", "nut", "gear"]


def test_a_value_too_long_is_refused_not_cut(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    with pytest.raises(DBAPIError, match="too long"), engine.begin() as conn:
        insert_rows(conn, THINGS, [{**ROWS[0], "name": "w" * (NAME_LENGTH + 1)}])
    assert stored(engine) == []
