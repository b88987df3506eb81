"""Bring a database to the newest schema (every capability's Alembic chain), safely at once.

Every hub process migrates at start (web workers, ingest workers, the jobs
process, admin commands), so after an upgrade several of them reach this code
at the same instant. On PostgreSQL the whole upgrade runs under a
transaction-level advisory lock: the first process migrates, the others wait
for its commit and then find nothing left to do (without it, 3 of 4 processes
started together died on ``UniqueViolation ... alembic_version``). SQLite's
``BEGIN IMMEDIATE`` serialises the same way.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_LOCK = 0x5359_4E43_4855_4201  # "SYNCHUB" + 1: pg_advisory_xact_lock's key


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> set[str]:
    """Run ``alembic upgrade heads`` inside one transaction, one process at a time.

    Returns the heads this call had to reach (empty: another process, or an earlier
    run, had already brought the database up to date).
    """
    cfg = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        missing = script_heads() - current(connection)
        if missing:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "heads")
    return missing


def script_heads() -> set[str]:
    """The newest revision of every capability's chain."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current(connection: Connection) -> set[str]:
    """Every revision this database has (empty: no hub schema at all).

    ``alembic_version`` lists only the tips: a chain's head that another chain
    ``depends_on`` is implied, so the applied set is the tips and all their ancestors.
    """
    tips = MigrationContext.configure(connection).get_current_heads()
    if not tips:
        return set()
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.revision_map.iterate_revisions(tips, "base")}


def pending(engine: Engine) -> list[str]:
    """Heads of the migration scripts the database has not reached (empty: at head)."""
    with engine.connect() as connection:
        return sorted(script_heads() - current(connection))


def heads(engine: Engine) -> list[str]:
    """The migration heads the database is at (what a backup records)."""
    with engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())
