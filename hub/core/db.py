"""Database plumbing: declarative base, engine and session factory.

Same code on SQLite (embedded default) and PostgreSQL (production). Engines
are built by the entry point from settings, never at import time.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Any, Iterator, cast

from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the hub stores UTC-aware timestamps only")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return (
            value.replace(tzinfo=dt.timezone.utc)
            if value.tzinfo is None
            else value.astimezone(dt.timezone.utc)
        )


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, for Core statements built once on hot paths (no ORM unit of work)."""
    return cast(Table, model.__table__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


SQLITE_MAX_OVERFLOW = 64


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas the hub relies on (WAL, foreign keys, busy timeout on SQLite)."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        # A SQLite connection is an open file, not a server process: let every thread that
        # may read at once have one (the web's 40 request threads, ingest, jobs, SFTP logins)
        # rather than wait for a pooled one and fail after the pool's timeout under load.
        if ":memory:" not in url:
            kwargs.setdefault("max_overflow", SQLITE_MAX_OVERFLOW)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below own transactions
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers: IMMEDIATE takes the write lock up front, so two transactions that read
            # then write never deadlock on the lock upgrade (a deferred one would get SQLITE_BUSY
            # at its first write, without waiting). Readers (``read_only_session_factory``): a
            # plain deferred BEGIN takes no write lock — under WAL they read a consistent
            # snapshot while a writer works, and neither waits for the other. A read-only
            # session must never write (it would lose the upgrade-deadlock protection).
            conn.exec_driver_sql(
                "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
            )

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes_when_read_only(
        conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if conn.get_execution_options().get(READ_ONLY) and _writes(statement, context):
            raise ReadOnlyViolation(
                f"a read-only session tried to write ({statement.split(None, 1)[0]} …): "
                "GET/HEAD/OPTIONS requests and read-only helpers must not write "
                "(docs/transactions.md); do it in a POST"
            )

    return engine


class ReadOnlyViolation(RuntimeError):
    """A bug: a write in a read-only session (on SQLite it would have taken no write lock)."""


WRITE_VERBS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "CREATE", "DROP", "ALTER"}
)


def _writes(statement: str, context: Any) -> bool:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    head = statement.lstrip().split(None, 1)
    return bool(head) and head[0].upper() in WRITE_VERBS


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


READ_ONLY = "synchub_read_only"  # execution option read by the SQLite "begin" listener above


def read_only_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for pure reads (GET pages, quotes, auth look-ups): no write lock on SQLite.

    Same pool and pragmas as ``engine``; only the BEGIN differs on SQLite. On every database
    a write in such a session raises :class:`ReadOnlyViolation` (a bug, caught by tests).
    """
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
