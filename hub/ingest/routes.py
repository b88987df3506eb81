"""HTTP API of the ingest: history, quarantine (list, retry) and per-reseller sync health."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require, reseller_filter
from hub.core.roles import Role
from hub.core.state import hub_state
from hub.ingest.models import Snapshot
from hub.ingest.quarantine import list_quarantined, requeue
from hub.ingest.schemas import ResellerSyncPublic, SnapshotPublic, SnapshotsPublic
from hub.ingest.service import list_snapshots, sync_health
from hub.ingest.store import Store
from shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["ingest"])


@router.get("/snapshots", response_model=SnapshotsPublic, dependencies=[require()])
def get_snapshots(
    session: SessionDep,
    principal: CurrentPrincipal,
    reseller_id: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> SnapshotsPublic:
    """Received snapshots, newest first: status, sequence, rows, timings, reason."""
    reseller_id = reseller_filter(principal, reseller_id)  # a reseller sees only its own
    rows, count = list_snapshots(
        session, reseller_id=reseller_id, status=status, limit=limit, offset=offset
    )
    return SnapshotsPublic(data=[SnapshotPublic.model_validate(r) for r in rows], count=count)


@router.get(
    "/quarantine",
    response_model=SnapshotsPublic,
    dependencies=[require(Role.OWNER, Role.OPERATIONS)],
)
def get_quarantine(session: SessionDep, reseller_id: str | None = None) -> SnapshotsPublic:
    """Quarantined snapshots with the reason each was refused."""
    rows = list_quarantined(session, reseller_id)
    return SnapshotsPublic(data=[SnapshotPublic.model_validate(r) for r in rows], count=len(rows))


@router.post(
    "/quarantine/{snapshot_id}/retry",
    response_model=SnapshotPublic,
    status_code=202,
    dependencies=[require(Role.OWNER, Role.OPERATIONS)],
)
def post_retry(snapshot_id: RowId, request: Request, settings: SettingsDep) -> SnapshotPublic:
    """Queue a quarantined snapshot again; the ingest worker re-runs every check on its next round."""
    # requeue commits on its own session (from the app's factory)
    row = requeue(hub_state(request).session_factory, Store.from_settings(settings), snapshot_id)
    return SnapshotPublic.model_validate(row)


@router.get(
    "/resellers/{reseller_id}/sync", response_model=ResellerSyncPublic, dependencies=[require()]
)
def get_sync(reseller_id: str, session: SessionDep) -> ResellerSyncPublic:
    """Sync health: last success and its age, sequence gaps, quarantine, last rows, agent version."""
    health = sync_health(session, reseller_id)
    known = session.scalar(select(Snapshot.id).where(Snapshot.reseller_id == reseller_id).limit(1))
    if health.last_applied_sequence == 0 and known is None:
        raise NotFound(
            "no snapshot received from reseller {reseller_id} yet", reseller_id=reseller_id
        )
    return ResellerSyncPublic.model_validate(health)
