"""Recording and reading the audit log.

Capabilities call :func:`record` inside the transaction that makes the change,
so an entry exists exactly when the change was committed.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub.audit.models import AuditEntry
from hub.core.bulk import insert_rows
from hub.core.db import table_of, utcnow
from hub.core.roles import Principal, Role


def jsonable(value: Any) -> Any:
    """Before/after values as exact JSON: Decimal as string, times ISO 8601, enums by value."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return value


AUDIT_LOG = table_of(AuditEntry)


def cli_principal() -> Principal:
    """Who a ``synchub`` command acts as: the operating-system user, as ``cli:<user>``.

    Commands run with the owner's rights (whoever can run them can read the database);
    the audit log still says who ran them, so CLI changes are traced like web ones.
    """
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return Principal(role=Role.OWNER, username=f"cli:{user}")


def _actor(principal: Principal | None) -> dict[str, Any]:
    """Who did it, as audit columns; ``principal`` None means the hub itself (CLI, scheduled job)."""
    if principal is None:
        return {"actor": "system", "actor_role": None, "actor_user_id": None, "reseller_id": None}
    return {
        "actor": principal.username
        or (f"token:{principal.token_id}" if principal.token_id else "?"),
        "actor_role": principal.role.value,
        "actor_user_id": principal.user_id,
        "reseller_id": principal.reseller_id,
    }


def _entry(
    actor: dict[str, Any], action: str, entity: str, entity_id: Any, before: Any, after: Any
) -> dict[str, Any]:
    return {
        **actor,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": jsonable(before),
        "after": jsonable(after),
    }


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    entity: str,
    entity_id: Any = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Add one audit entry to ``session`` (the caller's transaction commits it)."""
    entry = AuditEntry(**_entry(_actor(principal), action, entity, entity_id, before, after))
    session.add(entry)
    return entry


def entries(
    principal: Principal | None,
    entity: str,
    entity_id: Any,
    changes: Iterable[tuple[str, Any, Any]],
) -> list[dict[str, Any]]:
    """Rows of :data:`AUDIT_LOG` for several (action, before, after) changes of one entity, for a
    hot path that writes them together with its own rows (placing an order)."""
    actor, at = _actor(principal), utcnow()
    return [
        {**_entry(actor, action, entity, entity_id, before, after), "at": at}
        for action, before, after in changes
    ]


def record_many(
    session: Session,
    principal: Principal | None,
    entity: str,
    entity_id: Any,
    changes: Iterable[tuple[str, Any, Any]],
) -> None:
    """Write several (action, before, after) entries of one entity now, in one statement
    (:mod:`hub.core.bulk`: no ORM objects to flush)."""
    insert_rows(session.connection(), AUDIT_LOG, entries(principal, entity, entity_id, changes))


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _filtered(f: AuditFilter) -> Select[Any]:
    stmt = select(AuditEntry)
    for column, value in (
        (AuditEntry.actor, f.actor),
        (AuditEntry.action, f.action),
        (AuditEntry.entity, f.entity),
        (AuditEntry.entity_id, f.entity_id),
    ):
        if value:
            stmt = stmt.where(column == value)
    if f.since:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEntry.at < f.until)
    return stmt


def list_entries(
    session: Session, f: AuditFilter, *, limit: int = 100, offset: int = 0, cap: int | None = None
) -> tuple[list[AuditEntry], int]:
    """Newest first, with the number of matching entries (counted up to ``cap + 1`` when given:
    a big log's count is a scan)."""
    stmt = _filtered(f)
    counted = stmt.with_only_columns(AuditEntry.id)
    if cap is not None:
        counted = counted.limit(cap + 1)
    count = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), int(count)
