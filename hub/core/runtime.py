"""Opening the hub's database for an entry point (CLI command, server, worker).

One place that turns settings into a migrated engine and a session factory,
so every command sees the newest schema without a separate upgrade step.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import make_engine, session_factory, transaction
from hub.core.migrate import upgrade
from hub.core.settings import HubSettings, load_settings

T = TypeVar("T")


def open_hub(settings: HubSettings) -> tuple[Engine, sessionmaker[Session]]:
    """Create the data directory if needed, migrate the database, return (engine, session factory)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url, pool_size=settings.db_pool_size)
    upgrade(engine)
    return engine, session_factory(engine)


@contextmanager
def hub_transaction(settings: HubSettings | None = None) -> Iterator[Session]:
    """For one CLI command: the hub from the environment's settings, one unit of work.

    Commits when the block ends, rolls back if it raises (docs/transactions.md).
    """
    engine, factory = open_hub(settings or load_settings())
    try:
        with transaction(factory) as session:
            yield session
    finally:
        engine.dispose()


def with_hub_session(fn: Callable[[Session], T]) -> T:
    """For one CLI command: open the hub from the environment's settings, run ``fn`` in a session."""
    engine, factory = open_hub(load_settings())
    try:
        with factory() as session:
            return fn(session)
    finally:
        engine.dispose()
