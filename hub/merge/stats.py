"""What one merge did, per dataset: returned to the ingest, which stores and shows it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class DatasetStats:
    inserted: int = 0  # keys seen for the first time (or again after a delete)
    updated: int = 0  # keys whose values changed: old version closed, new one opened
    deleted: int = 0  # keys gone at the source: current version closed
    unchanged: int = 0  # rows identical to the current version (no new version)
    # how deletes were found: "full" (every key compared), "skipped" (the key-set digest proved there were
    # none), "keys" (format 2: the agent listed the deleted keys, found by comparing key sets; the digest
    # proves the result), "agent" (format 1: the agent checked against its key ledger and a count of the
    # source that there were none; only the count is sent), "none" (an incremental without its key list:
    # deletes cannot be seen); "" before a merge
    delete_check: str = ""
    # after this merge the key sets differ: what the hub needs from the agent ("keys": every key of the
    # dataset, to close the ones the source lacks; "full": rows the hub lacks); "" when they are equal
    request: str = ""
    schema_version: int = 0
    schema_changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class MergeStats:
    datasets: dict[str, DatasetStats] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return [f"{name}: {w}" for name, ds in self.datasets.items() for w in ds.warnings]

    @property
    def schema_changes(self) -> list[str]:
        return [f"{name}: {c}" for name, ds in self.datasets.items() for c in ds.schema_changes]

    def totals(self) -> DatasetStats:
        t = DatasetStats()
        for ds in self.datasets.values():
            t.inserted += ds.inserted
            t.updated += ds.updated
            t.deleted += ds.deleted
            t.unchanged += ds.unchanged
        return t

    def to_dict(self) -> dict[str, Any]:
        return {name: asdict(ds) for name, ds in self.datasets.items()}
