"""Sign-in throttling: lock a username (and a client address) after repeated failures.

Kept in the database, not in memory, so every web process of the hub sees the
same count. A success clears the username's count; the window slides.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.core.db import utcnow
from hub.core.settings import HubSettings
from hub.users.models import LoginAttempt


class LockedOut(Exception):
    """Too many failed sign-ins; ``retry_after`` seconds until the window lets one through."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-ins for this {what}; try again in {retry_after // 60 + 1} minutes"
        )
        self.what = what
        self.retry_after = retry_after


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.success)
    )
    start = max(since, last_ok) if last_ok else since
    row = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            column == value, LoginAttempt.at > start, LoginAttempt.success.is_(False)
        )
    ).one()
    return int(row[0]), row[1]


def check(session: Session, settings: HubSettings, username: str, ip: str) -> None:
    """Raise :class:`LockedOut` if this username or address has failed too often lately."""
    window = dt.timedelta(seconds=settings.login_window_seconds)
    since = utcnow() - window
    for what, column, value, limit in (
        ("account", LoginAttempt.username, username, settings.login_max_failures),
        ("address", LoginAttempt.ip, ip, settings.login_ip_max_failures),
    ):
        count, first = _failures(session, column, value, since)
        if count >= limit:
            retry = int(((first or utcnow()) + window - utcnow()).total_seconds())
            raise LockedOut(what, max(retry, 1))


def note(session: Session, username: str, ip: str, success: bool) -> None:
    session.add(LoginAttempt(username=username, ip=ip, success=success, at=utcnow()))
