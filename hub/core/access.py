"""News that access was taken away, for what remembers access in this process.

Disabling a reseller or a user, revoking a token: the database is the truth, but a web
process remembers valid API tokens for a few seconds (``hub.users.auth.TokenCache``). The
service that takes access away calls :func:`revoked`, and every cache of this process that
:func:`subscribe`-d forgets at once. Other processes forget within their cache's lifetime;
what writes (placing an order, sending a payment) checks the reseller in its own transaction,
so a disabled reseller is refused everywhere at once.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

_listeners: list[weakref.WeakMethod[Callable[[], None]]] = []


def subscribe(forget: Callable[[], None]) -> None:
    """``forget`` (a bound method: held weakly, so an app that is gone is dropped) runs on every
    :func:`revoked`."""
    _listeners.append(weakref.WeakMethod(forget))


def revoked() -> None:
    """Access was taken away from someone: every subscribed cache forgets what it remembers."""
    for ref in list(_listeners):
        forget = ref()
        if forget is None:
            _listeners.remove(ref)
        else:
            forget()


def revoked_on_commit(session: Session) -> None:
    """:func:`revoked` once ``session``'s transaction commits (services never commit:
    docs/transactions.md). Forgetting earlier would let a request re-remember the access
    from the old, committed state before the change lands."""

    def forget(_session: Any) -> None:
        revoked()

    event.listen(session, "after_commit", forget, once=True)


__all__ = ["revoked", "revoked_on_commit", "subscribe"]
