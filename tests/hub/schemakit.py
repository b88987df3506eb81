"""Drift between a capability's models and its hand-written Alembic revisions."""

from __future__ import annotations

import importlib
import pkgutil

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import hub
from hub.core.db import Base, make_engine
from hub.core.migrate import upgrade


def drift(url: str, prefixes: tuple[str, ...]) -> list[object]:
    """What the migrated database at ``url`` lacks or has beyond the models, for the tables
    whose names start with ``prefixes`` (empty: none)."""

    def mine(obj: object, name: str, kind: str, reflected: bool, compare_to: object) -> bool:
        table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", "")
        return str(table).startswith(prefixes)

    for m in pkgutil.walk_packages(hub.__path__, "hub."):
        if m.name.endswith(".models"):
            importlib.import_module(m.name)
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": mine, "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    return diff


def upgrade_all_but(cfg: object, skipped: set[str]) -> set[str]:
    """Upgrade (on ``cfg.attributes['connection']``) every revision except ``skipped`` and all that
    build on them, one revision at a time, bases first: a hub as it was before those revisions.

    Upgrading whole heads one by one trips Alembic's bookkeeping of cross-branch ``depends_on``
    (KeyError on a dependency another head already passed). Returns what was left out.
    """
    from alembic import command
    from alembic.script import ScriptDirectory

    left_out = set(skipped)
    for script in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions())):  # type: ignore[arg-type]
        parents = {*_ids(script.down_revision), *_ids(script.dependencies)}
        if script.revision in left_out or parents & left_out:
            left_out.add(script.revision)
            continue
        command.upgrade(cfg, script.revision)  # type: ignore[arg-type]
    return left_out


def _ids(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
