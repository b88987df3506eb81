"""`GET /api/v1/audit`: the owner reads (never edits) the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from hub.audit.service import AuditFilter, list_entries
from hub.core.deps import SessionDep, require
from hub.core.roles import Role

router = APIRouter(prefix="/api/v1", tags=["audit"])


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str
    actor_role: str | None
    reseller_id: str | None
    action: str
    entity: str
    entity_id: str | None
    before: Any
    after: Any


class AuditEntriesPublic(BaseModel):
    data: list[AuditEntryPublic]
    count: int


@router.get("/audit", dependencies=[require(Role.OWNER)])
def get_audit(
    session: SessionDep,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> AuditEntriesPublic:
    """Newest first; every filter is optional."""
    utc = [
        t if t is None or t.tzinfo else t.replace(tzinfo=dt.timezone.utc) for t in (since, until)
    ]
    rows, count = list_entries(
        session,
        AuditFilter(actor, action, entity, entity_id, utc[0], utc[1]),
        limit=limit,
        offset=offset,
    )
    return AuditEntriesPublic(data=[AuditEntryPublic.model_validate(r) for r in rows], count=count)
