"""Server-side web sessions and reseller API tokens: issue, resolve, end, revoke."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.db import utcnow
from hub.core.roles import Principal, Role, can_see_reseller
from hub.core.security import digest, new_api_token, new_secret
from hub.resellers.models import Reseller
from hub.users.models import ApiToken, User, WebSession
from shared.errors import NotFound


class TokenNotFound(NotFound):
    """No API token with that id (for this reseller)."""


def start_session(
    session: Session, user: User, max_age: int, *, replaces: str | None = None
) -> tuple[str, WebSession]:
    """A new session id for ``user`` (the caller commits). ``replaces``: the old cookie, which dies now.

    Always a fresh id at sign-in, so a session id planted before sign-in is worthless.
    """
    if replaces:
        session.execute(delete(WebSession).where(WebSession.id_hash == digest(replaces)))
    session.execute(
        delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < utcnow())
    )
    sid = new_secret()
    row = WebSession(
        id_hash=digest(sid),
        user_id=user.id,
        csrf_token=new_secret(),
        created_at=utcnow(),
        expires_at=utcnow() + dt.timedelta(seconds=max_age),
    )
    session.add(row)
    session.flush()
    return sid, row


def resolve_session(session: Session, sid: str) -> tuple[User, WebSession] | None:
    """The session's user, if the session is live, the user active and (a reseller's user)
    its reseller enabled: disabling either ends the session at its next request."""
    row = session.get(WebSession, digest(sid))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if user.reseller_id is not None and not reseller_enabled(session, user.reseller_id):
        return None
    return user, row


def reseller_enabled(session: Session, reseller_id: str) -> bool:
    return bool(session.scalar(select(Reseller.enabled).where(Reseller.id == reseller_id)))


def end_session(session: Session, sid: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == digest(sid)))
    session.flush()


def issue_token(
    session: Session, actor: Principal, reseller_id: str, name: str
) -> tuple[str, ApiToken]:
    """A new Bearer token for ``reseller_id``; the secret is returned once and never stored."""
    secret = new_api_token()
    row = ApiToken(
        token_hash=digest(secret),
        prefix=secret[:10],
        name=name[:100],
        reseller_id=reseller_id,
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "token.create",
        "api_token",
        row.id,
        None,
        {"name": row.name, "reseller_id": reseller_id, "prefix": row.prefix},
    )
    session.flush()
    return secret, row


def resolve_token(session: Session, secret: str) -> Principal | None:
    """The token's principal, unless it is revoked or its reseller disabled."""
    row = session.scalar(
        select(ApiToken)
        .join(Reseller, Reseller.id == ApiToken.reseller_id)
        .where(ApiToken.token_hash == digest(secret), Reseller.enabled.is_(True))
    )
    if row is None or row.revoked_at is not None:
        return None
    return Principal(
        role=Role.RESELLER,
        reseller_id=row.reseller_id,
        token_id=row.id,
        username=f"token:{row.prefix}",
    )


def list_tokens(session: Session, reseller_id: str | None) -> list[ApiToken]:
    stmt = select(ApiToken).order_by(ApiToken.id)
    if reseller_id is not None:
        stmt = stmt.where(ApiToken.reseller_id == reseller_id)
    return list(session.scalars(stmt))


def revoke_token(session: Session, actor: Principal, token_id: int) -> ApiToken:
    """Revoke (the caller commits). A reseller admin can only reach its own reseller's tokens."""
    row = session.get(ApiToken, token_id)
    if row is None or not can_see_reseller(actor, row.reseller_id):
        raise TokenNotFound(
            "no API token #{token_id}", hint="list your tokens to see their ids", token_id=token_id
        )
    if row.revoked_at is None:
        _revoke(session, actor, row)
        session.flush()
    return row


def _revoke(session: Session, actor: Principal | None, row: ApiToken) -> None:
    row.revoked_at = utcnow()
    record(
        session, actor, "token.revoke", "api_token", row.id, {"revoked": False}, {"revoked": True}
    )


def revoke_issued_by(session: Session, actor: Principal | None, user_id: int) -> int:
    """Revoke the live API tokens ``user_id`` issued (the user was deactivated); not committed."""
    rows = list(
        session.scalars(
            select(ApiToken).where(ApiToken.created_by == user_id, ApiToken.revoked_at.is_(None))
        )
    )
    for row in rows:
        _revoke(session, actor, row)
    return len(rows)
