"""Sign-in throttling that a stranger cannot turn into a lock-out (OWASP ASVS 2.2.1).

Three counts over the sliding window, kept in the database so every web process sees them:

* **per address** — failures from one client address, whatever the usernames: password
  spraying from one machine stops at ``login_ip_max_failures``. A success does *not* reset it
  (an attacker signing in to its own account must not buy more guesses at the others).
* **per account and address** — failures for one username from one address since that pair's
  last success: ``login_max_failures`` locks that pair only, so someone guessing the owner's
  password locks himself out, not the owner signing in from elsewhere.
* **per account** — failures for one username from every address since its last success: past
  ``login_account_max_failures`` (guesses spread over many machines) the account is closed to
  addresses it was never signed in from; an address that signed in to it before (the user's
  own) still may.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.settings import HubSettings
from hub.users.models import LoginAttempt

KNOWN_ADDRESS_DAYS = 90  # an address that signed in to an account this recently is its owner's


class LockedOut(Exception):
    """Too many failed sign-ins; ``retry_after`` seconds until the window lets one through."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-ins for this {what}; try again in {retry_after // 60 + 1} minutes"
        )
        self.what = what
        self.retry_after = retry_after


def _failures(
    session: Session, where: Sequence[ColumnElement[bool]], since: dt.datetime, *, reset: bool
) -> tuple[int, dt.datetime | None]:
    """(failures, first failure) matching ``where`` since ``since`` (or the last success)."""
    start = since
    if reset:
        last_ok = session.scalar(
            select(func.max(LoginAttempt.at)).where(*where, LoginAttempt.success)
        )
        start = max(since, last_ok) if last_ok else since
    row = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            *where, LoginAttempt.at > start, LoginAttempt.success.is_(False)
        )
    ).one()
    return int(row[0]), row[1]


def _known_address(session: Session, username: str, ip: str) -> bool:
    since = utcnow() - dt.timedelta(days=KNOWN_ADDRESS_DAYS)
    return (
        session.scalar(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.username == username,
                LoginAttempt.ip == ip,
                LoginAttempt.success,
                LoginAttempt.at > since,
            )
            .limit(1)
        )
        is not None
    )


def check(session: Session, settings: HubSettings, username: str, ip: str) -> None:
    """Raise :class:`LockedOut` if this address, this account from this address, or this
    account from an address it does not know has failed too often lately."""
    window = dt.timedelta(seconds=settings.login_window_seconds)
    since = utcnow() - window
    account, address = LoginAttempt.username == username, LoginAttempt.ip == ip
    limits = [
        ("address", [address], settings.login_ip_max_failures, False),
        ("account", [account, address], settings.login_max_failures, True),
    ]
    if not _known_address(session, username, ip):
        limits.append(("account", [account], settings.login_account_max_failures, True))
    for what, where, limit, reset in limits:
        count, first = _failures(session, where, since, reset=reset)
        if count >= limit:
            retry = int(((first or utcnow()) + window - utcnow()).total_seconds())
            raise LockedOut(what, max(retry, 1))


def note(session: Session, username: str, ip: str, success: bool) -> None:
    session.add(LoginAttempt(username=username, ip=ip, success=success, at=utcnow()))
