"""The reseller's profile as staff keep it, and the audited changes of its registry entry.

This module sits above the registry (:mod:`hub.resellers.service`, which reception uses)
and composes it with the capabilities a profile shows: groups (catalog), sync state
(ingest). Every change writes one audit entry; the registry's functions commit, so the
entry is added to the session first and committed with the change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import PriceList, ResellerGroup, ResellerGroupMember
from hub.core.db import utcnow
from hub.core.roles import Principal
from hub.ingest.models import ResellerSync, Snapshot
from hub.masterdata.fields import Invalid
from hub.resellers import service
from hub.resellers.models import Reseller
from hub.resellers.schemas import REGION_CODE

ZONES = (
    ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
    ("Asia/Makassar", "WITA (Asia/Makassar)"),
    ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
)
QUIET_AFTER = dt.timedelta(hours=36)  # nightly agents: more than a day and a half is a problem


def npwp_digits(text: str) -> str:
    """NPWP as digits (15, or 16 since 2024); ``01.234.567.8-901.000`` is accepted as typed."""
    digits = re.sub(r"[\s.\-]", "", text or "")
    if digits and (not digits.isdigit() or len(digits) not in (15, 16)):
        raise Invalid({"npwp": ("an NPWP has 15 or 16 digits", {})})
    return digits


def npwp_shown(digits: str) -> str:
    if len(digits) == 15:
        d = digits
        return f"{d[:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:]}"
    return digits


def groups_of(session: Session, reseller_id: str) -> list[str]:
    return list(
        session.scalars(
            select(ResellerGroup.name)
            .join(ResellerGroupMember, ResellerGroupMember.group_id == ResellerGroup.id)
            .where(ResellerGroupMember.reseller_id == reseller_id)
            .order_by(ResellerGroup.name)
        )
    )


def profile_values(session: Session, row: Reseller) -> dict[str, Any]:
    return {
        "name": row.name,
        "legal_name": row.legal_name,
        "npwp": npwp_shown(row.npwp),
        "region": row.region_code or "",
        "platform": row.platform or "",
        "timezone": row.timezone,
        "groups": groups_of(session, row.id),
        "notes": row.notes,
    }


def update_profile(
    session: Session, principal: Principal | None, reseller_id: str, values: Mapping[str, Any]
) -> Reseller:
    """Change the profile fields given; one audit entry with the values before and after."""
    row = service.get_row(session, reseller_id)
    before = profile_values(session, row)
    wrong: dict[str, tuple[str, dict[str, Any]]] = {}
    name = str(values.get("name", row.name) or "").strip()
    if not name:
        wrong["name"] = ("fill this in", {})
    region = str(values.get("region", row.region_code or "") or "").strip()
    if region and not REGION_CODE.fullmatch(region):
        wrong["region"] = ("no region with code {code}", {"code": region})
    zone = values.get("timezone", row.timezone) or "Asia/Jakarta"
    if zone not in {z for z, _ in ZONES}:
        wrong["timezone"] = ("unknown choice {value}", {"value": zone})
    try:
        npwp = npwp_digits(str(values.get("npwp", row.npwp) or ""))
    except Invalid as exc:
        wrong.update(exc.fields)
        npwp = row.npwp
    names = list(values.get("groups", before["groups"]) or [])
    ids = dict(
        session.execute(
            select(ResellerGroup.name, ResellerGroup.id).where(ResellerGroup.name.in_(names))
        ).all()
    )
    unknown = [n for n in names if n not in ids]
    if unknown:
        wrong["groups"] = ("unknown choice {value}", {"value": ", ".join(unknown)})
    if wrong:
        raise Invalid(wrong)
    row.name, row.legal_name = name, str(values.get("legal_name", row.legal_name) or "").strip()
    row.region_code, row.timezone, row.npwp = region or None, zone, npwp
    row.platform = str(values.get("platform", row.platform or "") or "").strip() or None
    row.notes = str(values.get("notes", row.notes) or "")
    row.updated_at = utcnow()
    session.execute(
        delete(ResellerGroupMember).where(ResellerGroupMember.reseller_id == reseller_id)
    )
    session.add_all(ResellerGroupMember(group_id=ids[n], reseller_id=reseller_id) for n in names)
    session.flush()
    after = profile_values(session, row)
    if after != before:
        record(session, principal, "reseller.update", "reseller", reseller_id, before, after)
    return row


def set_enabled(
    session: Session, principal: Principal | None, reseller_id: str, enabled: bool
) -> None:
    """Enable or disable the reseller's logins (its data stays); audited with the registry's commit."""
    row = service.get_row(session, reseller_id)
    if row.enabled == enabled:
        return
    action = "reseller.enable" if enabled else "reseller.disable"
    record(
        session,
        principal,
        action,
        "reseller",
        reseller_id,
        {"enabled": row.enabled},
        {"enabled": enabled},
    )
    (service.enable_reseller if enabled else service.disable_reseller)(session, reseller_id)


def rotate_key(
    session: Session,
    principal: Principal | None,
    reseller_id: str,
    ssh_public_key: str | None,
    signing_public_key: str | None,
) -> None:
    """Replace the agent's SSH and/or signing key (the old one stops at once); audited."""
    changed = [n for n, v in (("ssh", ssh_public_key), ("signing", signing_public_key)) if v]
    record(
        session, principal, "reseller.rotate_key", "reseller", reseller_id, None, {"keys": changed}
    )
    service.rotate_keys(session, reseller_id, ssh_public_key or None, signing_public_key or None)


def price_lists_for(session: Session, reseller_id: str) -> list[tuple[str, PriceList]]:
    """The active price lists that apply, most specific first: (why, list)."""
    groups = session.scalars(
        select(ResellerGroupMember.group_id).where(ResellerGroupMember.reseller_id == reseller_id)
    ).all()
    out: list[tuple[str, PriceList]] = []
    for why, cond in (
        ("own", PriceList.reseller_id == reseller_id),
        ("group", PriceList.group_id.in_(groups)),
        ("everyone", PriceList.reseller_id.is_(None) & PriceList.group_id.is_(None)),
    ):
        lists = session.scalars(
            select(PriceList).where(cond, PriceList.active.is_(True)).order_by(PriceList.name)
        )
        out += [(why, pl) for pl in lists]
    return out


@dataclass(frozen=True)
class Connection:
    """What the hub knows of the agent's last contact, for the "test connection" panel."""

    last_contact: dt.datetime | None  # the last snapshot received
    last_sequence: int | None
    last_status: str | None  # its decision: the ack the agent finds in its outbox
    last_applied: dt.datetime | None
    snapshots: int

    @property
    def quiet(self) -> bool:
        return self.last_contact is None or utcnow() - self.last_contact > QUIET_AFTER


def connection(session: Session, reseller_id: str) -> Connection:
    last = session.scalars(
        select(Snapshot)
        .where(Snapshot.reseller_id == reseller_id)
        .order_by(Snapshot.id.desc())
        .limit(1)
    ).first()
    sync = session.get(ResellerSync, reseller_id)
    count = session.scalar(select(func.count()).where(Snapshot.reseller_id == reseller_id)) or 0
    return Connection(
        last.received_at if last else None,
        last.sequence if last else None,
        last.status if last else None,
        sync.last_success_at if sync else None,
        int(count),
    )
