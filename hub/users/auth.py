"""The authenticator the app factory hands to ``hub.core.deps`` (core cannot import users)."""

from __future__ import annotations

import time
from typing import Callable

from sqlalchemy.orm import Session

from hub.core import access
from hub.core.roles import Principal
from hub.core.security import digest
from hub.users.models import User
from hub.users.service import principal_of
from hub.users.sessions import resolve_session, resolve_token


class TokenCache:
    """API tokens recently found valid, each for ``ttl`` seconds.

    Why: a reseller system calls the API in bursts (quotes, orders); looking the
    token up on every request was a quarter of a quote's server time. Only
    valid tokens are kept (a wrong token always reaches the database), keyed by
    the token's digest, and the table is bounded.
    """

    def __init__(
        self, ttl: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self.max_entries, self._clock = ttl, max_entries, clock
        self._entries: dict[str, tuple[float, Principal]] = {}
        access.subscribe(self.clear)  # a reseller or user disabled in this process: forget now

    def clear(self) -> None:
        self._entries.clear()

    def get(self, key: str) -> Principal | None:
        hit = self._entries.get(key)
        if hit is None:
            return None
        if hit[0] <= self._clock():
            self._entries.pop(key, None)
            return None
        return hit[1]

    def put(self, key: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # rare (more live tokens than entries): start over rather than track ages
        self._entries[key] = (self._clock() + self.ttl, principal)

    def forget(self, token_id: int) -> None:
        """Drop a token at once (this worker revoked it)."""
        for key in [k for k, (_, p) in self._entries.items() if p.token_id == token_id]:
            self._entries.pop(key, None)


class Authenticator:
    """Turns a Bearer token or a session cookie into a :class:`Principal`."""

    def __init__(self, token_cache_seconds: float = 0.0) -> None:
        self.tokens = TokenCache(token_cache_seconds)

    def cached_token(self, token: str) -> Principal | None:
        """The token's principal if this worker found it valid lately (no database)."""
        return self.tokens.get(digest(token))

    def from_token(self, open_session: Callable[[], Session], token: str) -> Principal | None:
        """The token's principal; a session is opened (``open_session()``) only when the cache misses."""
        key = digest(token)
        principal = self.tokens.get(key)
        if principal is None:
            with open_session() as session:
                principal = resolve_token(session, token)
            if principal is not None:
                self.tokens.put(key, principal)
        return principal

    def forget_token(self, token_id: int) -> None:
        self.tokens.forget(token_id)

    @staticmethod
    def from_session(session: Session, sid: str) -> tuple[Principal, User, str] | None:
        found = resolve_session(session, sid)
        if found is None:
            return None
        user, web_session = found
        return principal_of(user), user, web_session.csrf_token
