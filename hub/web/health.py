"""The sync-health board in a handful of set-based queries (200 resellers must stay fast).

Per reseller: last successful snapshot, its age, rows, sequence gaps, quarantined
files, agent version, and whether it missed its nightly sync (no success for > 26 h).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.ingest.models import ResellerSync, Snapshot, Status
from hub.ingest.service import sync_health
from hub.resellers.models import Reseller

MISSED_AFTER = dt.timedelta(hours=26)


@dataclass
class BoardRow:
    reseller_id: str
    name: str
    enabled: bool
    last_success_at: dt.datetime | None
    age_seconds: float | None
    last_rows: int | None
    agent_version: str | None
    last_sequence: int
    missing_sequences: list[int] = field(default_factory=list)
    quarantined: int = 0
    pending: int = 0

    @property
    def missed(self) -> bool:
        return self.enabled and (
            self.age_seconds is None or self.age_seconds > MISSED_AFTER.total_seconds()
        )


def board(session: Session, reseller_ids: list[str] | None = None) -> list[BoardRow]:
    """One row per reseller (all, or the given ones), alerts first then by id."""
    stmt = select(Reseller.id, Reseller.name, Reseller.enabled).order_by(Reseller.id)
    if reseller_ids is not None:
        stmt = stmt.where(Reseller.id.in_(reseller_ids))
    resellers = session.execute(stmt).all()
    syncs = {s.reseller_id: s for s in session.scalars(select(ResellerSync))}
    last_ids = [s.last_snapshot_id for s in syncs.values() if s.last_snapshot_id]
    last = (
        {
            r.id: r
            for r in session.execute(
                select(Snapshot.id, Snapshot.rows, Snapshot.agent_version).where(
                    Snapshot.id.in_(last_ids)
                )
            )
        }
        if last_ids
        else {}
    )
    counts: dict[tuple[str, str], int] = {
        (r, s): int(n)
        for r, s, n in session.execute(
            select(Snapshot.reseller_id, Snapshot.status, func.count())
            .where(
                Snapshot.status.in_(
                    [Status.QUARANTINED.value, Status.RECEIVED.value, Status.HELD.value]
                )
            )
            .group_by(Snapshot.reseller_id, Snapshot.status)
        )
    }
    now = utcnow()
    rows = []
    for rid, name, enabled in resellers:
        sync = syncs.get(rid)
        snap = last.get(sync.last_snapshot_id) if sync and sync.last_snapshot_id else None
        when = sync.last_success_at if sync else None
        row = BoardRow(
            rid,
            name,
            enabled,
            when,
            (now - when).total_seconds() if when else None,
            snap.rows if snap else None,
            snap.agent_version if snap else None,
            sync.last_applied_sequence if sync else 0,
            quarantined=counts.get((rid, Status.QUARANTINED.value), 0),
            pending=counts.get((rid, Status.RECEIVED.value), 0),
        )
        if counts.get((rid, Status.HELD.value)):  # only then are there gaps to compute
            row.missing_sequences = sync_health(session, rid).missing_sequences
        rows.append(row)
    rows.sort(key=lambda r: (not (r.missed or r.quarantined or r.missing_sequences), r.reseller_id))
    return rows


@dataclass
class Point:
    at: dt.datetime
    rows: int
    delay_seconds: float


def history(session: Session, reseller_id: str, limit: int = 60) -> list[Point]:
    """Applied snapshots over time: rows and delay (source export → applied at the hub)."""
    snaps = session.execute(
        select(Snapshot.applied_at, Snapshot.rows, Snapshot.source_created_at, Snapshot.received_at)
        .where(Snapshot.reseller_id == reseller_id, Snapshot.status == Status.APPLIED.value)
        .order_by(Snapshot.applied_at.desc())
        .limit(limit)
    ).all()
    out = [
        Point(a, int(r or 0), max(0.0, (a - (s or rec)).total_seconds()))
        for a, r, s, rec in snaps
        if a
    ]
    return list(reversed(out))
