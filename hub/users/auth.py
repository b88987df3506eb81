"""The authenticator the app factory hands to ``hub.core.deps`` (core cannot import users)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.core.roles import Principal
from hub.users.models import User
from hub.users.service import principal_of
from hub.users.sessions import resolve_session, resolve_token


class Authenticator:
    """Turns a Bearer token or a session cookie into a :class:`Principal`."""

    @staticmethod
    def from_token(session: Session, token: str) -> Principal | None:
        return resolve_token(session, token)

    @staticmethod
    def from_session(session: Session, sid: str) -> tuple[Principal, User, str] | None:
        found = resolve_session(session, sid)
        if found is None:
            return None
        user, web_session = found
        return principal_of(user), user, web_session.csrf_token
