"""``Idempotency-Key`` handling: a retried request gets the first answer, a reused key
with another body gets 409.

The record is written in the same transaction as the effect it guards, so an
effect without its record (or the reverse) cannot exist. Two requests racing
with the same key: the loser's insert fails on the unique constraint, its
transaction (and its effect) rolls back, and it answers from the winner's record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import table_of, utcnow
from hub.core.driver import Direct
from hub.orders.models import IdempotencyRecord
from shared.errors import Conflict, DataError, SyncHubError

T = TypeVar("T")


class IdempotencyConflict(Conflict):
    """The key was already used for a request with a different body."""


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any
    replayed: bool


def request_hash(payload: Any) -> str:
    """Stable SHA-256 of a JSON-able payload (key order does not matter)."""
    raw = (
        payload
        if isinstance(payload, bytes)
        else json.dumps(payload, sort_keys=True, default=str).encode()
    )
    return hashlib.sha256(raw).hexdigest()


_RECORDS = table_of(IdempotencyRecord)
_FIND = select(
    _RECORDS.c.key, _RECORDS.c.request_hash, _RECORDS.c.status_code, _RECORDS.c.response
).where(
    _RECORDS.c.scope == bindparam("scope"),
    _RECORDS.c.owner == bindparam("owner"),
    _RECORDS.c.key == bindparam("key"),
)
_KEEP = Direct(
    insert(_RECORDS).values({c.key: bindparam(c.key) for c in _RECORDS.columns if c.key != "id"})
)


def _existing(session: Session, scope: str, owner: str, key: str) -> Optional[Any]:
    return session.connection().execute(_FIND, {"scope": scope, "owner": owner, "key": key}).first()


def _replay(rec: Any, digest: str) -> Outcome:
    if rec.request_hash != digest:
        raise IdempotencyConflict(
            "Idempotency-Key {key} was already used with a different request",
            key=repr(rec.key),
            hint="send a new key for a new request; reuse a key only to retry the same request",
        )
    return Outcome(rec.status_code, rec.response, True)


def run_once(
    factory: sessionmaker[Session],
    *,
    scope: str,
    owner: str,
    key: Optional[str],
    payload: Any,
    work: Callable[[Session], Any],
    status_code: int = 201,
) -> Outcome:
    """Run ``work(session)`` in one transaction unless ``key`` was seen; return its JSON body.

    ``work`` returns the JSON-able response body; it must not commit. The key is not
    looked up first: ``work`` runs and its record is inserted in the same transaction; if
    the key was already used, the insert fails on the unique constraint, everything rolls
    back and the first answer is replayed. Retries are rare, so the common path saves a
    query; a retry that now fails (the stock ran out since) still gets the first answer.
    """
    digest = request_hash(payload)
    if key is not None and not 1 <= len(key) <= 200:
        raise DataError("Idempotency-Key must be 1 to 200 characters")
    try:
        with factory() as session, session.begin():
            body = work(session)
            if key is not None:
                _KEEP.write(
                    session.connection(),
                    {
                        "scope": scope,
                        "owner": owner,
                        "key": key,
                        "request_hash": digest,
                        "status_code": status_code,
                        "response": body,
                        "created_at": utcnow(),
                    },
                )
    except (IntegrityError, SyncHubError):
        if key is None:
            raise
        with factory() as session:
            rec = _existing(session, scope, owner, key)
        if rec is None:
            raise
        return _replay(rec, digest)
    return Outcome(status_code, body, False)
