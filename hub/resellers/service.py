"""Enrolling, listing, disabling and re-keying resellers (no HTTP, no CLI here).

Nothing here commits (docs/transactions.md): the caller's unit of work does, and the
SFTP server looks keys up at each login, so a disable or a key rotation takes effect on
the very next session after that commit.
"""

from __future__ import annotations

from typing import Any, Mapping, Union

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.core import access
from hub.core.db import utcnow
from hub.resellers.models import Reseller
from hub.resellers.schemas import ResellerCreate, ResellerPublic, check_signing_key, check_ssh_key
from shared.errors import ConfigError, Conflict, Forbidden, NotFound


class ResellerNotFound(NotFound):
    """No reseller with that id is enrolled."""


class ResellerExists(Conflict):
    """A reseller with that id is already enrolled."""


def validate_create(data: Union[ResellerCreate, Mapping[str, Any]]) -> ResellerCreate:
    """Turn raw fields into a ``ResellerCreate``, reporting every bad field at once."""
    if isinstance(data, ResellerCreate):
        return data
    try:
        return ResellerCreate.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(
            [(".".join(str(p) for p in err["loc"]), _plain(err["msg"])) for err in exc.errors()],
            source="reseller",
            hint="fix the values above and run the command again",
        ) from None


def ensure_free_id(session: Session, reseller_id: str) -> None:
    """Refuse an id that is already enrolled (before creating anything outside the database)."""
    if session.get(Reseller, reseller_id) is not None:
        raise _exists(reseller_id)


def add_reseller(
    session: Session, data: Union[ResellerCreate, Mapping[str, Any]]
) -> ResellerPublic:
    """Enrol a reseller (enabled). Refuses an id that is already taken."""
    create = validate_create(data)
    if session.get(Reseller, create.id) is not None:
        raise _exists(create.id)
    now = utcnow()
    row = Reseller(**create.model_dump(), enabled=True, created_at=now, updated_at=now)
    try:
        with session.begin_nested():  # undo this row only, not the caller's work
            session.add(row)
            session.flush()
    except IntegrityError:  # enrolled concurrently by someone else
        raise _exists(create.id) from None
    return ResellerPublic.model_validate(row)


def get_reseller(session: Session, reseller_id: str) -> ResellerPublic:
    return ResellerPublic.model_validate(_row(session, reseller_id))


def find_reseller(session: Session, reseller_id: str) -> ResellerPublic | None:
    """The reseller or ``None``; for callers (like SFTP login) that must not raise on unknown ids."""
    row = session.get(Reseller, reseller_id)
    return None if row is None else ResellerPublic.model_validate(row)


def list_resellers(session: Session) -> list[ResellerPublic]:
    rows = session.scalars(select(Reseller).order_by(Reseller.id)).all()
    return [ResellerPublic.model_validate(r) for r in rows]


def has_resellers(session: Session) -> bool:
    """True once a reseller is enrolled (forms say where to enrol one first)."""
    return session.scalar(select(Reseller.id).limit(1)) is not None


def disable_reseller(session: Session, reseller_id: str) -> ResellerPublic:
    """Refuse the reseller's logins from now on: SFTP, its users' sessions and its API tokens
    (its data and history stay). Orders and payments check it in their own transaction."""
    row = _row(session, reseller_id)
    if row.enabled:
        row.enabled = False
        row.disabled_at = row.updated_at = utcnow()
        session.flush()
        access.revoked_on_commit(session)  # this process's token cache forgets once it is so
    return ResellerPublic.model_validate(row)


def require_enabled(session: Session, reseller_id: str) -> None:
    """Refuse work for a reseller that is disabled (or not enrolled), inside the caller's
    transaction: a token another web process still remembers cannot place an order."""
    enabled = session.scalar(select(Reseller.enabled).where(Reseller.id == reseller_id))
    if enabled is None:
        raise ResellerNotFound("no reseller {reseller_id}", reseller_id=reseller_id)
    if not enabled:
        raise Forbidden(
            "reseller {reseller_id} is disabled",
            hint="the distributor can enable it again (synchub reseller enable)",
            reseller_id=reseller_id,
        )


def enable_reseller(session: Session, reseller_id: str) -> ResellerPublic:
    row = _row(session, reseller_id)
    if not row.enabled:
        row.enabled = True
        row.disabled_at = None
        row.updated_at = utcnow()
        session.flush()
    return ResellerPublic.model_validate(row)


def rotate_keys(
    session: Session,
    reseller_id: str,
    ssh_public_key: str | None = None,
    signing_public_key: str | None = None,
) -> ResellerPublic:
    """Replace the SSH and/or signing key; the old key stops working at once."""
    if ssh_public_key is None and signing_public_key is None:
        raise ConfigError(
            "no new key given",
            source="reseller rotate-key",
            hint="pass a new SSH key, a new signing key, or both",
        )
    problems: list[tuple[str, str]] = []
    new_ssh = _checked(check_ssh_key, ssh_public_key, "ssh_public_key", problems)
    new_sign = _checked(check_signing_key, signing_public_key, "signing_public_key", problems)
    if problems:
        raise ConfigError(
            problems, source="reseller rotate-key", hint="fix the key and run the command again"
        )
    row = _row(session, reseller_id)
    if new_ssh is not None:
        row.ssh_public_key = new_ssh
    if new_sign is not None:
        row.signing_public_key = new_sign
    row.updated_at = utcnow()
    session.flush()
    return ResellerPublic.model_validate(row)


def _checked(
    check: Any, value: str | None, field: str, problems: list[tuple[str, str]]
) -> str | None:
    if value is None:
        return None
    try:
        return str(check(value))
    except ValueError as exc:
        problems.append((field, str(exc)))
        return None


def get_row(session: Session, reseller_id: str) -> Reseller:
    """The reseller's row (for services that change it); ``ResellerNotFound`` when unknown."""
    return _row(session, reseller_id)


def _row(session: Session, reseller_id: str) -> Reseller:
    row = session.get(Reseller, reseller_id)
    if row is None:
        raise ResellerNotFound(
            "no reseller {reseller_id}",
            hint="see `synchub reseller list` for enrolled ids",
            reseller_id=reseller_id,
        )
    return row


def _exists(reseller_id: str) -> ResellerExists:
    return ResellerExists(
        "a reseller with id {reseller_id} already exists",
        hint="choose another id, or use `synchub reseller rotate-key` to change its keys",
        reseller_id=reseller_id,
    )


def _plain(msg: str) -> str:
    return msg.removeprefix("Value error, ")
