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
