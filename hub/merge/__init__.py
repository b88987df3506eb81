"""The merged database: every reseller's datasets, current state plus full history.

Public seam: :func:`merge_snapshot` (called by the ingest inside its
transaction) and the readers in :mod:`hub.merge.query`.
"""

from hub.merge.errors import IncompatibleSchema
from hub.merge.service import merge_snapshot
from hub.merge.stats import DatasetStats, MergeStats

__all__ = ["DatasetStats", "IncompatibleSchema", "MergeStats", "merge_snapshot"]
