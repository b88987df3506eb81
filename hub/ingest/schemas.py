"""API shapes of the ingest ledger (kept apart from the ORM tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class SnapshotPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reseller_id: str
    sequence: int
    kind: str
    file_name: str
    file_sha256: str
    file_bytes: int
    status: str
    reason: str | None
    error_class: str | None
    received_at: dt.datetime
    started_at: dt.datetime | None
    applied_at: dt.datetime | None
    rows: int | None
    stats: dict[str, Any] | None
    agent_version: str | None
    source_created_at: dt.datetime | None
    attempts: int
    worker: str | None


class SnapshotsPublic(BaseModel):
    data: list[SnapshotPublic]
    count: int


class ResellerSyncPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reseller_id: str
    last_applied_sequence: int
    last_full_sequence: int | None
    last_success_at: dt.datetime | None
    age_seconds: float | None
    held_sequences: list[int]
    missing_sequences: list[int]
    quarantined: int
    pending: int
    last_rows: int | None
    agent_version: str | None
