"""Bring a database to the newest schema (every capability's Alembic chain).

Every entry point opens the hub through :func:`upgrade`, so a command never
meets an old schema. Most of the time the database is already current: that
is told without Alembic (about half a second of imports), from the revision
ids the migration files declare and the ``alembic_version`` table; only a
database that is behind (or new) loads Alembic and upgrades.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
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
    """Whether the database is at every head already (False for a new one)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        applied = {
            r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))
        }
    return applied == set(code_heads())


def upgrade(engine: Engine) -> None:
    """Run ``alembic upgrade heads`` inside one connection (nothing to load when already current)."""
    if is_current(engine):
        return
    from alembic import command

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
