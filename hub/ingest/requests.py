"""What the hub asks a reseller's agent for: a full snapshot, or every key of some datasets.

A request is a row (``SyncRequest``) and a signed message ``request-r<id>.json``
in the reseller's ``outbox/`` (``shared.messages.Request``), written after the
commit that made it, like acks. The agent answers in its next snapshot
(the manifest's ``answers``); an applied full snapshot answers every open
request (it carries everything). Answered requests' files are removed, so an
agent that lost its state never acts on a stale one.

Who asks: an operator (web button, ``synchub snapshots request-full``) when
the hub's copy looks wrong; the merge, when after a snapshot the hub's key set
differs from the source's digest (``keys``) or the hub lacks rows (``full``).
"""

from __future__ import annotations

import logging
from typing import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.dropbox import write_reply
from hub.core.phrases import Phrase, english, stored
from hub.ingest.models import Snapshot, SyncRequest
from hub.ingest.reasons import said
from hub.ingest.store import Store
from hub.merge.stats import MergeStats
from shared.messages import Request, request_filename, sign_message

log = logging.getLogger(__name__)
WHAT = ("full", "keys")


def open_requests(session: Session, reseller_id: str) -> list[SyncRequest]:
    return list(
        session.scalars(
            select(SyncRequest)
            .where(SyncRequest.reseller_id == reseller_id, SyncRequest.answered_at.is_(None))
            .order_by(SyncRequest.id)
        )
    )


def ask(
    session: Session,
    reseller_id: str,
    what: str,
    *,
    reason: str | list[Phrase],
    by: str,
    datasets: Iterable[str] = (),
    since_sequence: int | None = None,
) -> SyncRequest:
    """An open request of this kind for the reseller (an open one is reused, its datasets extended)."""
    if what not in WHAT:
        raise ValueError(f"unknown request {what!r}: one of {', '.join(WHAT)}")
    for req in open_requests(session, reseller_id):
        if req.what == what:
            missing = [d for d in datasets if d not in req.datasets]
            if missing:
                req.datasets = [*req.datasets, *missing]
            return req
    req = SyncRequest(
        reseller_id=reseller_id,
        what=what,
        datasets=list(datasets),
        reason=reason if isinstance(reason, str) else english(reason),
        reason_phrases=None if isinstance(reason, str) else stored(reason),
        requested_by=by,
        requested_at=utcnow(),
        since_sequence=since_sequence,
    )
    session.add(req)
    session.flush()
    return req


def after_merge(session: Session, row: Snapshot, answers: list[str], stats: MergeStats) -> None:
    """Mark what ``row`` answered; ask for what its merge found missing (key sets that differ)."""
    now = utcnow()
    for req in open_requests(session, row.reseller_id):
        if row.kind == "full" or req.wire_id in answers:
            req.answered_snapshot_id, req.answered_at = row.id, now
    keys = [n for n, ds in stats.datasets.items() if ds.request == "keys"]
    full = [n for n, ds in stats.datasets.items() if ds.request == "full"]
    if full:
        ask(
            session,
            row.reseller_id,
            "full",
            reason=said(
                "after snapshot {sequence} the hub lacks rows of {datasets}",
                sequence=row.sequence,
                datasets=", ".join(full),
            ),
            by="hub",
            since_sequence=row.sequence,
        )
    elif keys:
        ask(
            session,
            row.reseller_id,
            "keys",
            reason=said(
                "after snapshot {sequence} the hub's keys of {datasets} differ from the source's",
                sequence=row.sequence,
                datasets=", ".join(keys),
            ),
            by="hub",
            datasets=keys,
            since_sequence=row.sequence,
        )


def payload(req: SyncRequest) -> dict[str, object]:
    return Request(
        reseller_id=req.reseller_id,
        id=req.wire_id,
        what=req.what,  # type: ignore[arg-type]  # checked by ask()
        datasets=list(req.datasets),
        reason=req.reason,
        at=req.requested_at,
        since_sequence=req.since_sequence,
    ).to_payload()


def write_messages(
    session: Session, store: Store, signing_key: Ed25519PrivateKey, reseller_id: str
) -> None:
    """Signed files for the reseller's open requests; the files of answered ones removed.

    Called after the commit; a failure to write is logged (the next decision writes again).
    """
    outbox = store.outbox(reseller_id)
    open_ = {request_filename(r.wire_id): r for r in open_requests(session, reseller_id)}
    try:
        for name, req in open_.items():
            write_reply(store.sftp_root, reseller_id, name, sign_message(payload(req), signing_key))
        if outbox.is_dir():
            for path in outbox.glob("request-*.json"):
                if path.name not in open_:
                    path.unlink(missing_ok=True)
    except OSError as e:
        log.error("could not write the requests of %s: %s", reseller_id, e)


def request_full(session: Session, reseller_id: str, *, reason: str, by: str) -> SyncRequest:
    """An operator asks for a full snapshot. The caller commits, then calls :func:`write_messages`."""
    return ask(session, reseller_id, "full", reason=reason or said("asked by an operator"), by=by)
