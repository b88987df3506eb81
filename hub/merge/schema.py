"""Schema drift: compare a snapshot's columns with the dataset's stored schema.

Absorbed (recorded in the drift log, new schema version): a new column (older
versions read it as NULL), a dropped column (it keeps its storage position so
history stays readable), a widened type (integer → decimal/float/text,
date → timestamp, any → text, a longer native type), a nullability change.
Refused with :class:`IncompatibleSchema`: a different key, or a type change
whose old values would not read as the new type (text → integer, …).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Sequence

from hub.merge.errors import IncompatibleSchema
from shared.types import Column, PortableType

P = PortableType

# old type -> new types that every old canonical text still decodes as
WIDENINGS: dict[PortableType, frozenset[PortableType]] = {
    P.INTEGER: frozenset({P.DECIMAL, P.FLOAT}),
    P.DECIMAL: frozenset(),
    P.DATE: frozenset({P.TIMESTAMP}),
    P.BOOLEAN: frozenset(),
}


def is_widening(old: PortableType, new: PortableType) -> bool:
    """True if every canonical text of ``old`` is a valid canonical text of ``new``."""
    return new == P.TEXT or new in WIDENINGS.get(old, frozenset())


@dataclass(frozen=True)
class SchemaState:
    """A dataset's schema as stored: columns, key and storage layout."""

    version: int
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    layout: tuple[str, ...]

    @classmethod
    def from_json(cls, version: int, columns: str, key: str, layout: str) -> SchemaState:
        return cls(
            version,
            tuple(Column.from_dict(c) for c in json.loads(columns)),
            tuple(json.loads(key)),
            tuple(json.loads(layout)),
        )

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class Drift:
    """The outcome of a comparison: the schema to merge with and what changed."""

    state: SchemaState
    changes: list[str] = field(default_factory=list)

    @property
    def bumped(self) -> bool:
        return bool(self.changes)


def compare(
    previous: SchemaState | None,
    columns: Sequence[Column],
    key: Sequence[str],
    *,
    reseller_id: str,
    dataset: str,
) -> Drift:
    """The schema for this snapshot, or :class:`IncompatibleSchema` naming the column at fault."""
    names = [c.name for c in columns]
    if previous is None:
        return Drift(SchemaState(1, tuple(columns), tuple(key), tuple(names)), ["created"])

    def refuse(reason: str) -> IncompatibleSchema:
        return IncompatibleSchema(
            "dataset {dataset} of reseller {reseller_id}: {reason}",
            hint="the source's schema changed in a way the merged history cannot absorb; "
            "fix the agent's dataset definition (or rename the dataset to start a new history) and resend",
            reseller_id=reseller_id,
            dataset=dataset,
            reason=reason,
        )

    if list(key) != list(previous.key):
        raise refuse(f"key columns changed from {list(previous.key)} to {list(key)}")
    changes: list[str] = []
    for col in columns:
        old = previous.column(col.name)
        if old is None:
            changes.append(f"added column {col.name} ({col.type.value})")
            continue
        if old.type != col.type:
            if not is_widening(old.type, col.type):
                raise refuse(
                    f"column {col.name!r} changed type {old.type.value} → {col.type.value}, "
                    "which existing values cannot be read as"
                )
            changes.append(f"widened {col.name}: {old.type.value} → {col.type.value}")
        elif old.native != col.native:
            changes.append(f"native type of {col.name}: {old.native or '?'} → {col.native or '?'}")
        if old.nullable != col.nullable:
            changes.append(f"{col.name} is {'now' if col.nullable else 'no longer'} nullable")
    for old in previous.columns:
        if old.name not in names:
            changes.append(f"dropped column {old.name}")
    if not changes and names == [c.name for c in previous.columns]:
        return Drift(previous)
    if not changes:
        changes.append("column order changed")
    layout = list(previous.layout) + [n for n in names if n not in previous.layout]
    return Drift(
        SchemaState(previous.version + 1, tuple(columns), tuple(key), tuple(layout)), changes
    )
