"""Enrolling a reseller without copying keys by hand: a one-time code the agent presents.

The operator reserves the reseller's id on the hub and gets a code (``ABCD-EFGH-...``,
100 bits) valid for :data:`VALID_FOR`. The downloaded agent configuration carries it;
``syncagent init --from`` makes the agent's keys and sends their public halves with the
code to ``POST /api/v1/enrol``. The hub then enrols the reseller through
:func:`hub.resellers.service.add_reseller` — the same path as ``synchub reseller add``,
so whatever enrolling does (the OpenSSH account in production) happens here too — and
wipes the code. Wrong codes are counted: after :data:`MAX_FAILURES` the enrolment is
locked and the operator issues a new code. Unknown id, wrong, used, expired or locked
code all get the same answer, so the endpoint tells a guesser nothing.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal, Role
from hub.masterdata.fields import Invalid
from hub.resellers import service
from hub.resellers.models import Enrolment, Reseller
from hub.resellers.schemas import ResellerPublic, check_reseller_id
from shared.errors import Conflict, Forbidden

VALID_FOR = dt.timedelta(days=7)
MAX_FAILURES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_code() -> str:
    """20 characters from a 32-letter alphabet (100 bits), in groups of four."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def _normal(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def issue(
    session: Session,
    principal: Principal | None,
    reseller_id: str,
    name: str,
    *,
    legal_name: str = "",
    region_code: str | None = None,
) -> Enrolment:
    """Reserve ``reseller_id`` and give it a fresh code (a new code replaces an unused one)."""
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    try:
        check_reseller_id(reseller_id)
    except ValueError:
        problems["id"] = (
            "use 2 to 31 lowercase letters, digits and '-', starting with a letter or digit",
            {},
        )
    if not name.strip():
        problems["name"] = ("fill this in", {})
    if problems:
        raise Invalid(problems)
    if session.get(Reseller, reseller_id) is not None:
        raise Invalid({"id": ("a reseller with id {id} exists", {"id": reseller_id})})
    row = session.get(Enrolment, reseller_id) or Enrolment(reseller_id=reseller_id)
    row.name, row.legal_name, row.region_code = name.strip(), legal_name.strip(), region_code
    row.code, row.failures, row.used_at = new_code(), 0, None
    row.expires_at, row.created_at = utcnow() + VALID_FOR, utcnow()
    row.created_by = principal.username if principal is not None else "system"
    session.add(row)
    record(
        session,
        principal,
        "enrolment.issue_code",
        "reseller",
        reseller_id,
        None,
        {"name": row.name, "expires_at": row.expires_at},
    )
    session.flush()
    return row


def pending(session: Session) -> list[Enrolment]:
    return list(
        session.scalars(
            select(Enrolment)
            .where(Enrolment.used_at.is_(None))
            .order_by(Enrolment.created_at.desc())
        )
    )


def _refused() -> Forbidden:
    return translatable(  # type: ignore[return-value]
        Forbidden,
        "this enrolment code is not valid (wrong, used, expired or locked)",
        "ask the hub operator for a new code",
    )


def redeem(
    session: Session,
    reseller_id: str,
    code: str,
    ssh_public_key: str,
    signing_public_key: str,
    platform: str | None = None,
) -> ResellerPublic:
    """Enrol the reseller with the agent's public keys if ``code`` is its valid, unused code."""
    row = session.get(Enrolment, reseller_id)
    if row is None or row.used_at is not None or row.code is None:
        raise _refused()
    if row.failures >= MAX_FAILURES or row.expires_at <= utcnow():
        raise _refused()
    if not hmac.compare_digest(_normal(row.code), _normal(code)):
        row.failures += 1
        session.commit()  # the failure counts even though the request fails
        raise _refused()
    if session.get(Reseller, reseller_id) is not None:
        raise translatable(Conflict, "a reseller with id {id} exists", id=reseller_id)
    agent = Principal(role=Role.RESELLER, username=f"agent:{reseller_id}", reseller_id=reseller_id)
    record(session, agent, "reseller.enrol", "reseller", reseller_id, None, {"via": "code"})
    row.used_at, row.code = utcnow(), None
    enrolled = (
        service.add_reseller(  # the request commits it with the audit entry and the used code
            session,
            {
                "id": reseller_id,
                "name": row.name,
                "region_code": row.region_code,
                "platform": platform,
                "ssh_public_key": ssh_public_key,
                "signing_public_key": signing_public_key,
            },
        )
    )
    if row.legal_name:
        reseller = session.get(Reseller, reseller_id)
        assert reseller is not None
        reseller.legal_name = row.legal_name
    return enrolled
