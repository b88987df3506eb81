"""Errors of the merge: the ingest quarantines a snapshot that raises them."""

from __future__ import annotations

from shared.errors import DataError, NotFound


class IncompatibleSchema(DataError):
    """A dataset's columns changed in a way the hub cannot absorb (key changed, a type narrowed).

    ``context`` holds ``reseller_id``, ``dataset`` and ``reason``; the snapshot
    is quarantined and nothing of it is applied.
    """


class DatasetNotFound(NotFound):
    """No merged data for this reseller and dataset (never received, or the name is misspelt)."""
