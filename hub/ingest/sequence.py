"""Sequence rules: what to do with snapshot N of a reseller given what is applied.

Pure functions (property-tested) plus the row lock that serialises one
reseller's snapshots across worker processes.

* ``sequence <= last_applied``                      → duplicate (no-op, acknowledged)
* ``sequence == last_applied + 1``                  → apply
* ``kind == full`` and ``sequence > last_applied``  → apply: a full snapshot re-bases,
  so the missing sequences before it no longer matter (held older incrementals
  become ``superseded``)
* otherwise                                         → hold until the gap is filled
"""

from __future__ import annotations

from enum import Enum
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.ingest.db import insert_ignore
from hub.ingest.models import ResellerSync


class Decision(str, Enum):
    APPLY = "apply"
    DUPLICATE = "duplicate"
    HOLD = "hold"


def decide(kind: str, sequence: int, last_applied: int) -> Decision:
    if sequence <= last_applied:
        return Decision.DUPLICATE
    if sequence == last_applied + 1 or kind == "full":
        return Decision.APPLY
    return Decision.HOLD


def missing_sequences(last_applied: int, waiting: Iterable[int], *, limit: int = 1000) -> list[int]:
    """Sequences that must still arrive before every waiting (held) one can apply, ascending.

    Capped at ``limit`` so a wildly wrong sequence cannot produce a huge report.
    """
    have = {s for s in waiting if s > last_applied}
    if not have:
        return []
    out: list[int] = []
    for s in range(last_applied + 1, max(have)):
        if s not in have:
            out.append(s)
            if len(out) >= limit:
                break
    return out


def ensure_sync_row(session: Session, reseller_id: str) -> None:
    """Create the reseller's sync row if missing (safe when several workers race)."""
    insert_ignore(session, ResellerSync, {"reseller_id": reseller_id, "last_applied_sequence": 0})


def lock_sync(session: Session, reseller_id: str) -> ResellerSync:
    """The reseller's sync row, locked until the transaction ends.

    Every worker takes this lock before deciding, so one reseller's snapshots are
    applied strictly in order whatever the number of workers (PostgreSQL
    ``FOR UPDATE``; on SQLite the whole database is already locked by
    ``BEGIN IMMEDIATE``). ``populate_existing`` makes sure we see the value
    committed by the worker we waited for, not a stale identity-map copy.
    """
    ensure_sync_row(session, reseller_id)
    stmt = (
        select(ResellerSync)
        .where(ResellerSync.reseller_id == reseller_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()
