"""The merged database: every reseller's datasets, current state plus full history.

Public seam: :func:`merge_snapshot` (called by the ingest inside its
transaction) and the readers in :mod:`hub.merge.query`. The names below are
imported on first use, so a reader (``synchub data export``) does not load
the merge machinery.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "IncompatibleSchema": "hub.merge.errors",
    "merge_snapshot": "hub.merge.service",
    "DatasetStats": "hub.merge.stats",
    "MergeStats": "hub.merge.stats",
}
__all__ = ["DatasetStats", "IncompatibleSchema", "MergeStats", "merge_snapshot"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'hub.merge' has no attribute {name!r}")
