"""What the purchasing pages share: state words, form numbers, and trying a change.

A refused change (any :class:`~shared.errors.SyncHubError`) is rolled back to a savepoint
and shown next to what was typed; the request's unit of work commits the rest.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from hub.core.i18n import parse_decimal, parse_int
from hub.core.templating import language
from shared.errors import DataError, SyncHubError

T = TypeVar("T")

# state -> words (English message ids, translated in hub/purchasing/locales)
STATES = {
    "draft": "Draft",
    "approved": "Approved",
    "sent": "Sent to supplier",
    "partly_received": "Partly received",
    "received": "Received",
    "closed": "Closed",
    "cancelled": "Cancelled",
    "posted": "Posted",
    "reversed": "Reversed",
    "held": "Held",
    "matched": "Matched",
    "partly_paid": "Partly paid",
    "paid": "Paid",
}
EVENTS = {
    "approve": "Approve",
    "send": "Send to supplier",
    "cancel": "Cancel",
    "close": "Close",
    "post": "Post",
    "reverse": "Reverse",
}


def attempt(session: Session, work: Callable[[], T]) -> tuple[Optional[T], Optional[Exception]]:
    """Run ``work`` in a savepoint: (result, None), or (None, the error) with nothing changed."""
    try:
        with session.begin_nested():
            return work(), None
    except SyncHubError as exc:
        return None, exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return None, DataError(f"{where}: {first.get('msg')}" if where else str(first.get("msg")))


def amount(request: Request, raw: str, default: str = "0") -> Any:
    """A money amount as the person typed it in their language (``1.446.476,00``)."""
    return parse_decimal(raw.strip() or default, language(request))


def whole(request: Request, raw: str, default: int = 0) -> int:
    return parse_int(raw, language(request)) if raw.strip() else default
