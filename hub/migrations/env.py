"""Alembic environment: runs on the connection handed in by hub.core.migrate (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

from hub.core.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through hub.core.migrate.upgrade(engine)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTERs
    )
    with context.begin_transaction():
        context.run_migrations()


run()
