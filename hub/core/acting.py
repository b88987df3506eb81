"""Who a session works for, so checks that run when it writes (at flush) know the caller.

The request's unit of work (:mod:`hub.core.deps`) names the signed-in principal; a CLI
command or a job names nobody, which every such check treats as the hub itself (the most
restricted caller: a closed period refuses it like a manager).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from sqlalchemy.orm import Session

from hub.core.roles import Principal

_KEY = "synchub_acting_for"
Who = Union[Principal, None, Callable[[], Optional[Principal]]]


def act_for(session: Session, who: Who) -> None:
    """Declare the principal (or a function giving it, read at flush time) ``session`` works for."""
    session.info[_KEY] = who


def acting_for(session: Session) -> Optional[Principal]:
    """The principal ``session`` works for; None means the hub itself (CLI, scheduled job)."""
    who = session.info.get(_KEY)
    return who() if callable(who) else who


def act_for_request(session: Session, request: Any) -> None:
    """``session`` works for the request's signed-in principal (``request.state.principal``,
    set by :mod:`hub.core.deps`, read at flush). Every session a request opens says so: the
    request's unit of work, and the ones routes open for a transaction of their own."""
    act_for(session, lambda: getattr(request.state, "principal", None))
