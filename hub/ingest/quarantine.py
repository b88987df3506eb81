"""Quarantined snapshots: list them, and retry one after the cause was fixed.

A retry puts the snapshot back to ``received`` (the reason of the failed
attempt is kept in ``stats.previous_reasons``) and moves its file back into
the store; the pipeline then runs every check again from the start, so a
retry can never skip a verification.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.core.keys import HubKeys
from hub.ingest.models import Snapshot, Status
from hub.ingest.pipeline import Context, Outcome
from hub.ingest.store import Store
from hub.ingest.worker import process_next, worker_id
from shared.errors import Conflict, NotFound


class SnapshotNotFound(NotFound):
    """No snapshot with that id."""


class NotQuarantined(Conflict):
    """Only quarantined snapshots can be retried."""


def list_quarantined(session: Session, reseller_id: str | None = None) -> list[Snapshot]:
    stmt = select(Snapshot).where(Snapshot.status == Status.QUARANTINED.value)
    if reseller_id is not None:
        stmt = stmt.where(Snapshot.reseller_id == reseller_id)
    return list(
        session.scalars(stmt.order_by(Snapshot.reseller_id, Snapshot.sequence, Snapshot.id))
    )


def requeue(session_factory: sessionmaker[Session], store: Store, snapshot_id: int) -> Snapshot:
    """Mark a quarantined snapshot ``received`` again (committed) and move its file back."""
    with session_factory() as session, session.begin():
        row = session.get(Snapshot, snapshot_id, with_for_update=True)
        if row is None:
            raise SnapshotNotFound(
                "no snapshot #{snapshot_id}",
                hint="see `synchub quarantine list` for quarantined ids",
                snapshot_id=snapshot_id,
            )
        if row.status != Status.QUARANTINED.value:
            raise NotQuarantined(
                "snapshot #{snapshot_id} is {status}, not quarantined",
                hint="only quarantined snapshots can be retried",
                snapshot_id=snapshot_id,
                status=row.status,
            )
        stats = dict(row.stats or {})
        stats["previous_reasons"] = [*stats.get("previous_reasons", []), row.reason]
        row.stats = stats
        row.status = Status.RECEIVED.value
        row.reason = row.reason_phrases = None
        row.error_class = None
    with contextlib.suppress(OSError):  # the pipeline finds the file wherever it is (store.locate)
        store.settle(row)
    return row


def retry(
    session_factory: sessionmaker[Session],
    snapshot_id: int,
    *,
    store: Store,
    keys: HubKeys | None = None,
) -> Outcome | None:
    """Requeue, and with ``keys`` process it right away (else the next ingest round will).

    Returns the outcome when processed now (it may be ``held`` if its turn has not come);
    snapshots of the same reseller that were held behind it are applied too.
    """
    row = requeue(session_factory, store, snapshot_id)
    if keys is None:
        return None
    ctx = Context(store=store, keys=keys, worker=worker_id())
    outcome = process_next(session_factory, ctx, exclude=set(), snapshot_id=snapshot_id)
    while process_next(session_factory, ctx, exclude=set(), reseller_id=row.reseller_id):
        pass
    return outcome
