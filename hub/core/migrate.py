"""Bring a database to the newest schema (every capability's Alembic chain)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Run ``alembic upgrade heads`` inside one connection."""
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")


def pending(engine: Engine) -> list[str]:
    """Heads of the migration scripts the database has not reached (empty: at head)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    current = heads(engine)
    # The version table keeps only leaves: a branch another one depends on is applied too.
    applied = (
        {r.revision for r in script.iterate_revisions(tuple(current), "base")} if current else set()
    )
    return sorted(set(script.get_heads()) - applied)


def heads(engine: Engine) -> list[str]:
    """The migration heads the database is at (what a backup records)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())
