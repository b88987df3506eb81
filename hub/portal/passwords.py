"""Self-service password reset by e-mail: a random link, single use, expiring.

Only the SHA-256 of the token is stored (a stolen database opens no account); asking for a link
answers the same whether the address belongs to an account or not (no account enumeration);
using a link sets the password, ends every session of the user and spends the link and every
other open link of that user. The mail goes through the outbox (retried when the SMTP server is
down), so the answer never depends on the mail server either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.security import MIN_PASSWORD, WeakPassword, hash_password, new_secret
from hub.core.settings import HubSettings
from hub.notifications.service import notify_address
from hub.portal.models import PasswordReset, Profile
from hub.users.models import User, WebSession
from hub.users.service import principal_of
from shared.errors import DataError

MAX_EMAIL = 200


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def owner_of(session: Session, email: str) -> Optional[User]:
    """The active user whose profile has this e-mail address (compared in lower case)."""
    email = email.strip().lower()[:MAX_EMAIL]
    if "@" not in email:
        return None
    return session.scalar(
        select(User)
        .join(Profile, Profile.user_id == User.id)
        .where(Profile.email == email, User.active.is_(True))
    )


def request_link(
    session: Session,
    settings: HubSettings,
    email: str,
    lang: str,
    *,
    now: Optional[dt.datetime] = None,
) -> bool:
    """Mail a reset link if ``email`` is an account's; True if one was queued (never shown)."""
    user = owner_of(session, email)
    if user is None:
        return False
    now = now or utcnow()
    _spend_open_links(session, user.id, now)
    token = new_secret()
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.password_reset_minutes),
        )
    )
    notify_address(
        session,
        email.strip().lower(),
        "password_reset",
        {
            "username": user.username,
            "link": f"{settings.public_url.rstrip('/')}/password/reset/{token}",
            "minutes": settings.password_reset_minutes,
        },
        locale=user.locale or lang,
    )
    record(session, principal_of(user), "user.password_reset_link", "user", user.id)
    session.flush()
    return True


def _spend_open_links(session: Session, user_id: int, now: dt.datetime) -> None:
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )


def valid_link(session: Session, token: str, *, now: Optional[dt.datetime] = None) -> PasswordReset:
    """The reset the link stands for, if it is unused and not expired."""
    now = now or utcnow()
    found = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(token)))
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise translatable(
            DataError,
            "this reset link is not valid any more (used, expired or mistyped)",
            "ask for a new link",
        )
    return found


def set_new_password(
    session: Session, token: str, new: str, repeat: str, *, now: Optional[dt.datetime] = None
) -> User:
    """Use the link: the new password (typed twice, at least 10 characters) replaces the old."""
    now = now or utcnow()
    reset = valid_link(session, token, now=now)
    if new != repeat:
        raise translatable(DataError, "the two passwords differ", "type the same password twice")
    user = session.get_one(User, reset.user_id)
    try:
        user.password_hash = hash_password(new)
    except WeakPassword:
        raise translatable(
            DataError,
            "the password needs at least {n} characters",
            "a short sentence is easy to remember",
            n=MIN_PASSWORD,
        ) from None
    user.must_change_password = False
    user.password_changed_at = now
    _spend_open_links(session, user.id, now)
    session.query(WebSession).filter(WebSession.user_id == user.id).delete()
    record(session, principal_of(user), "user.password_reset_used", "user", user.id)
    session.flush()
    return user
