"""SQL over a staged snapshot row (columns ``c0..cN`` as text, in the snapshot's order).

The stage's key line must equal the current table's (:mod:`hub.merge.tables`)
byte for byte, so both come from :func:`hub.merge.tables.key_expression`. A
staged row differs from its current row when any field of the dataset's
layout differs, a NULL told apart from every text; a layout column the
snapshot lacks (dropped at the source) reads as NULL.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.merge import dialect, tables
from hub.merge.schema import SchemaState
from shared.manifest import DatasetManifest


def key_sql(session: Session, ds: DatasetManifest, positional: bool = False) -> str:
    """The key line of a staged row (``positional``: a stage of the key columns alone)."""
    names = [c.name for c in ds.columns]
    staged = [f"c{i if positional else names.index(k)}" for i, k in enumerate(ds.key)]
    return tables.key_expression(dialect.name(session), staged)


def layout_sources(ds: DatasetManifest, state: SchemaState) -> list[str | None]:
    """Per layout position, the staged column that fills it (None: not in this snapshot)."""
    names = [c.name for c in ds.columns]
    return [f"c{names.index(n)}" if n in names else None for n in state.layout]


def changed_sql(session: Session, ds: DatasetManifest, state: SchemaState) -> str:
    """True when staged row ``s`` differs from current row ``c`` of the same key (key fields: equal)."""
    parts = []
    for j, source in enumerate(layout_sources(ds, state)):
        if state.layout[j] in ds.key:
            continue
        current = f"c.{tables.field(j)}"
        parts.append(
            dialect.distinct(session, current, f"s.{source}")
            if source
            else f"{current} IS NOT NULL"
        )
    return " OR ".join(parts) or "1 = 0"
