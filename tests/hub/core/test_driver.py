"""Statements run straight on the driver (hub.core.driver) behave as through SQLAlchemy, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, create_engine, event, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from hub.core.driver import Direct, OneOf
from tests.hub.core.things import META, NAME_LENGTH, ROWS, T0, THINGS

JAKARTA = dt.timezone(dt.timedelta(hours=7))

BY_ID_OR_NAME = Direct(
    select(THINGS)
    .where(OneOf(THINGS.c.id, "ids") | OneOf(THINGS.c.name, "names"))
    .order_by(THINGS.c.id)
)
ADD = Direct(insert(THINGS).values({c: bindparam(c) for c in ("id", "name", "price", "at", "doc")}))
SOME_LITERAL = Direct(
    select(THINGS.c.id, (THINGS.c.price * 2).label("double")).where(THINGS.c.id == 1)
)
COUNT_TEXT = Direct(text("SELECT count(*) AS n FROM things WHERE price > :floor"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = create_engine(database_url)
    if (
        eng.dialect.name == "postgresql"
    ):  # a session time zone other than UTC: results must still be UTC
        event.listen(
            eng, "connect", lambda dbapi, _rec: dbapi.execute("SET TIME ZONE 'Asia/Jakarta'")
        )
    META.create_all(eng)
    yield eng
    eng.dispose()


def as_dicts(rows: Any) -> list[dict[str, Any]]:
    return [r._asdict() for r in rows]


def test_rows_come_back_as_through_sqlalchemy(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(THINGS), ROWS)
        direct = BY_ID_OR_NAME.rows(conn, {"ids": [1], "names": ["gear", "absent"]})
        plain = conn.execute(
            select(THINGS).where(THINGS.c.id.in_([1, 3])).order_by(THINGS.c.id)
        ).all()
    assert as_dicts(direct) == as_dicts(plain) == [ROWS[0], ROWS[2]]
    assert direct[0].at.tzinfo == dt.timezone.utc and isinstance(direct[0].price, Decimal)
    assert direct[0].name == "bolt"  # columns as attributes, like SQLAlchemy's rows


def test_one_of_takes_any_list_length_and_empty_lists(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(THINGS), ROWS)
        assert BY_ID_OR_NAME.rows(conn, {"ids": [], "names": []}) == []
        for ids in ([2], [3, 1], [1, 2, 3, 99]):
            assert [r.id for r in BY_ID_OR_NAME.rows(conn, {"ids": ids, "names": []})] == sorted(
                set(ids) - {99}
            )


def test_write_applies_the_column_types(engine: Engine) -> None:
    """UTCDateTime turns a Jakarta time into UTC and JSON serialises the document, as SQLAlchemy would."""
    with engine.begin() as conn:
        written = ADD.write(
            conn,
            {
                "id": 7,
                "name": "washer",
                "price": Decimal("12.34"),
                "at": dt.datetime(2026, 3, 3, 15, 30, tzinfo=JAKARTA),
                "doc": {"k": ["v"]},
            },
        )
    assert written == 1
    with engine.connect() as conn:
        row = conn.execute(select(THINGS)).one()
    assert row._asdict() == {
        "id": 7,
        "name": "washer",
        "price": Decimal("12.34"),
        "at": T0,
        "doc": {"k": ["v"]},
    }


def test_literals_and_text_statements(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(THINGS), ROWS)
        assert as_dicts(SOME_LITERAL.rows(conn, {})) == [{"id": 1, "double": Decimal("3001.00")}]
        assert COUNT_TEXT.rows(conn, {"floor": 1})[0].n == 2


def test_errors_are_sqlalchemy_errors_and_roll_back(engine: Engine) -> None:
    """A duplicate key raises SQLAlchemy's IntegrityError (what callers catch); nothing of the transaction stays."""
    with pytest.raises(IntegrityError, match="things"), engine.begin() as conn:
        ADD.write(conn, {**ROWS[1], "name": "first"})
        ADD.write(conn, {**ROWS[1], "name": "again"})
    with engine.connect() as conn:
        assert conn.execute(select(THINGS)).all() == []


def test_runs_in_the_callers_transaction(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(insert(THINGS), ROWS[:1])  # not committed
        assert [r.id for r in BY_ID_OR_NAME.rows(conn, {"ids": [1], "names": []})] == [1]
        ADD.write(conn, ROWS[1])
        conn.rollback()
        assert BY_ID_OR_NAME.rows(conn, {"ids": [1, 2], "names": []}) == []
        ADD.write(conn, ROWS[2])  # begins a transaction by itself, like any statement
        conn.commit()
    with engine.connect() as conn:
        assert [r.id for r in conn.execute(select(THINGS.c.id))] == [3]


def test_statement_listeners_see_direct_statements(engine: Engine) -> None:
    seen: list[str] = []
    event.listen(
        engine, "before_cursor_execute", lambda _c, _cur, sql, *_: seen.append(sql.split()[0])
    )
    with engine.begin() as conn:
        ADD.write(conn, ROWS[0])
        BY_ID_OR_NAME.rows(conn, {"ids": [1], "names": []})
    assert seen == ["INSERT", "SELECT"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    price=st.decimals(
        min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2
    ),
    name=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=NAME_LENGTH),
    minutes=st.integers(min_value=-(10**6), max_value=10**6),
)
def test_any_value_round_trips_like_sqlalchemy(
    engine: Engine, price: Decimal, name: str, minutes: int
) -> None:
    """Money, text and times written and read directly equal what SQLAlchemy writes and reads."""
    at = (T0 + dt.timedelta(minutes=minutes)).astimezone(JAKARTA)
    with engine.connect() as conn:
        ADD.write(conn, {"id": 1, "name": name, "price": price, "at": at, "doc": {"name": name}})
        conn.execute(
            insert(THINGS), {"id": 2, "name": name, "price": price, "at": at, "doc": {"name": name}}
        )
        direct = as_dicts(BY_ID_OR_NAME.rows(conn, {"ids": [1, 2], "names": []}))
        plain = [r._asdict() for r in conn.execute(select(THINGS).order_by(THINGS.c.id))]
        conn.rollback()
    assert direct == plain
    assert direct[0] == {"id": 1, "name": name, "price": price, "at": at, "doc": {"name": name}}


def test_a_lost_connection_is_invalidated_and_the_pool_recovers(engine: Engine) -> None:
    """The server ends the session mid-transaction: SQLAlchemy's error says the connection was
    invalidated, and the next transaction gets a fresh connection."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a server-side disconnect needs a server")
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as lost:
            BY_ID_OR_NAME.rows(conn, {"ids": [1], "names": []})
        assert lost.value.connection_invalidated
    with engine.begin() as conn:
        ADD.write(conn, ROWS[0])
    with engine.connect() as conn:
        assert [r.id for r in BY_ID_OR_NAME.rows(conn, {"ids": [1], "names": []})] == [1]
