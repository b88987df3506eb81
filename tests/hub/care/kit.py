"""Care tests' worlds: a bare migrated database (SQLite or PostgreSQL) with two resellers and a
staff user per role, for the service tests; the seeded web hub for the HTTP ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.models import AuditEntry
from hub.care.schemas import TicketCreate
from hub.core.db import transaction
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.resellers.service import add_reseller
from hub.users.models import User
from hub.users.service import principal_of
from shared import keys as sk
from tests.hub.ingest.ingest_kit import ssh_line
from tests.hub.web.webkit import Seeded

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB


@dataclass
class CareDb:
    factory: sessionmaker[Session]
    users: dict[str, User] = field(default_factory=dict)  # role value -> staff user

    def who(self, role: Role, reseller: str = "r1") -> Principal:
        if role in RESELLER_ROLES:
            return Principal(role, username=f"{role.value}-{reseller}", reseller_id=reseller)
        return principal_of(self.users[role.value])


def care_db(factory: sessionmaker[Session]) -> CareDb:
    """Two resellers (r1, r2) and one staff user per staff role in a migrated database."""
    out = CareDb(factory)
    with transaction(factory) as s:
        for rid in ("r1", "r2"):
            add_reseller(
                s,
                {
                    "id": rid,
                    "name": f"Toko {rid}",
                    "ssh_public_key": ssh_line(),
                    "signing_public_key": sk.public_b64(sk.generate_signing_key()),
                },
            )
        for role in Role:
            if role not in RESELLER_ROLES:
                user = User(username=role.value, password_hash="-", role=role.value)
                s.add(user)
                out.users[role.value] = user
        s.flush()
        for user in out.users.values():
            s.expunge(user)
    return out


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
