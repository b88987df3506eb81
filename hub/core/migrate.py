"""Bring a database to the newest schema (every capability's Alembic chain), safely at once.

Every hub process migrates at start (web workers, ingest workers, the jobs
process, admin commands), so after an upgrade several of them reach this code
at the same instant. On PostgreSQL the whole upgrade runs under a
transaction-level advisory lock: the first process migrates, the others wait
for its commit and then find nothing left to do (without it, 3 of 4 processes
started together died on ``UniqueViolation ... alembic_version``). SQLite's
``BEGIN IMMEDIATE`` serialises the same way.

Most of the time the database is already current: :func:`is_current` tells it
without Alembic (about half a second of imports), from the revision ids the
migration files declare and the ``alembic_version`` table; only a database
that is behind (or new) loads Alembic and upgrades.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_LOCK = 0x5359_4E43_4855_4201  # "SYNCHUB" + 1: pg_advisory_xact_lock's key
_REVISION = re.compile(r'^revision\s*=\s*"([^"]+)"', re.MULTILINE)
_PARENTS = re.compile(r"^(?:down_revision|depends_on)\s*=\s*(.+)$", re.MULTILINE)


def alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@cache
def code_heads() -> frozenset[str]:
    """What ``alembic_version`` holds once every chain is applied: the revisions no other one
    names as its ``down_revision`` or in its ``depends_on`` (read from the files' declarations)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rev = _REVISION.search(source)
        if rev is None:
            continue
        revisions.add(rev.group(1))
        for line in _PARENTS.findall(source):
            parents.update(re.findall(r'"([^"]+)"', line))
    return frozenset(revisions - parents)


def is_current(engine: Engine) -> bool:
    """Whether the database is at every head already (False for a new one), without Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        applied = {
            r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))
        }
    return applied == set(code_heads())


def upgrade(engine: Engine) -> set[str]:
    """Run ``alembic upgrade heads`` inside one transaction, one process at a time.

    Returns the heads this call had to reach (empty: another process, or an earlier
    run, had already brought the database up to date).
    """
    if is_current(engine):
        return set()
    from alembic import command

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
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current(connection: Connection) -> set[str]:
    """Every revision this database has (empty: no hub schema at all).

    ``alembic_version`` lists only the tips: a chain's head that another chain
    ``depends_on`` is implied, so the applied set is the tips and all their ancestors.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

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
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())


def refuse_dangling(table: str, column: str, target: str) -> None:
    """Inside a migration that adds a foreign key: stop, with nothing changed, when rows name
    a missing ``target`` row, saying which rows and how to find them (never drop them)."""
    from alembic import op

    where = (
        f"{table}.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {target} t WHERE t.id = {table}.{column})"
    )
    count = op.get_bind().scalar(text(f"SELECT count(*) FROM {table} WHERE {where}"))
    if count:
        from shared.errors import DataError

        raise DataError(
            "{count} row(s) of {table} name a {column} that {target} does not have",
            hint="find them with: SELECT * FROM {table} WHERE {where}; correct or remove them, "
            "then upgrade again (nothing was changed)",
            count=count,
            table=table,
            column=column,
            target=target,
            where=where,
        )
