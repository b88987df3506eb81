"""A seeded hub for care tests (two resellers, a user per role) and the principals acting in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.models import AuditEntry
from hub.care.schemas import TicketCreate
from hub.core.roles import Principal, Role
from hub.users.service import principal_of
from tests.hub.web.webkit import Seeded

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB


def factory(hub: Seeded) -> sessionmaker[Session]:
    return hub.app.state.hub.session_factory  # type: ignore[no-any-return]


def who(hub: Seeded, role: Role, reseller: str = "r1") -> Principal:
    return principal_of(hub.users[hub.username(role, reseller)])


def ticket(**kw: Any) -> TicketCreate:
    values: dict[str, Any] = {
        "kind": "complaint",
        "category": "delivery",
        "priority": "normal",
        "subject": "Barang belum sampai",
        "body": "Pesanan minggu lalu belum diterima.",
    }
    values.update(kw)
    return TicketCreate(**values)


def audit_count(s: Session, action: str, ticket_id: int) -> int:
    stmt = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == action,
        AuditEntry.entity == "care_ticket",
        AuditEntry.entity_id == str(ticket_id),
    )
    return int(s.scalar(stmt) or 0)
