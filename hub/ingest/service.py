"""Read side of the ingest ledger: snapshot history and per-reseller sync health (no HTTP, no CLI)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.ingest.acks import held_sequences
from hub.ingest.models import ResellerSync, Snapshot, Status
from hub.ingest.sequence import missing_sequences


def list_snapshots(
    session: Session,
    *,
    reseller_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Snapshot], int]:
    """Newest first, with the total count for pagination."""
    stmt = select(Snapshot)
    if reseller_id is not None:
        stmt = stmt.where(Snapshot.reseller_id == reseller_id)
    if status is not None:
        stmt = stmt.where(Snapshot.status == status)
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Snapshot.id.desc()).limit(limit).offset(offset))
    return list(rows), int(count)


@dataclass
class SyncHealth:
    reseller_id: str
    last_applied_sequence: int
    last_full_sequence: int | None
    last_success_at: dt.datetime | None
    age_seconds: float | None  # since the last applied snapshot; None if never
    held_sequences: list[int]
    missing_sequences: list[int]
    quarantined: int
    pending: int
    last_rows: int | None
    agent_version: str | None


def sync_health(session: Session, reseller_id: str) -> SyncHealth:
    """Is this reseller's data flowing? Last success, its age, gaps, quarantine, last size and agent."""
    sync = session.get(ResellerSync, reseller_id)
    last = sync.last_applied_sequence if sync else 0
    held = held_sequences(session, reseller_id)
    counts = dict(
        session.execute(
            select(Snapshot.status, func.count())
            .where(Snapshot.reseller_id == reseller_id)
            .group_by(Snapshot.status)
        ).all()
    )
    last_row = (
        session.get(Snapshot, sync.last_snapshot_id) if sync and sync.last_snapshot_id else None
    )
    when = sync.last_success_at if sync else None
    return SyncHealth(
        reseller_id=reseller_id,
        last_applied_sequence=last,
        last_full_sequence=sync.last_full_sequence if sync else None,
        last_success_at=when,
        age_seconds=(utcnow() - when).total_seconds() if when else None,
        held_sequences=held,
        missing_sequences=missing_sequences(last, held),
        quarantined=int(counts.get(Status.QUARANTINED.value, 0)),
        pending=int(counts.get(Status.RECEIVED.value, 0)),
        last_rows=last_row.rows if last_row else None,
        agent_version=last_row.agent_version if last_row else None,
    )
