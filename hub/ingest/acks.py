"""Acknowledgements: the hub's signed answer in the reseller's ``outbox/`` after each decision.

Written only after the decision is committed, so an ack never announces
something that was rolled back. ``ack-<sequence:012d>.json`` is rewritten when
the status changes (held, then applied), so the agent always finds the latest
word on each sequence. Writing is atomic (temp file + rename); a failure to
write is logged and does not undo the ingest — the next decision or a re-upload
rewrites it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.dropbox import write_reply
from hub.ingest.models import ResellerSync, Snapshot, Status
from hub.ingest.sequence import missing_sequences
from hub.ingest.store import Store
from shared.messages import Ack, sign_message

log = logging.getLogger(__name__)


def ack_name(sequence: int) -> str:
    return f"ack-{sequence:012d}.json"


def held_sequences(session: Session, reseller_id: str) -> list[int]:
    return list(
        session.scalars(
            select(Snapshot.sequence)
            .where(Snapshot.reseller_id == reseller_id, Snapshot.status == Status.HELD.value)
            .order_by(Snapshot.sequence)
        )
    )


def ack_payload(row: Snapshot, last_applied: int, missing: list[int]) -> dict[str, Any]:
    """The contract's ``Ack`` (``shared.messages``), so the agent's ``parse_payload`` accepts it."""
    return Ack.model_validate(
        {
            "reseller_id": row.reseller_id,
            "sequence": row.sequence,
            "status": row.status,
            "reason": row.reason or "",
            "at": utcnow(),
            "snapshot_kind": row.kind,
            "file_name": row.file_name,
            "file_sha256": row.file_sha256,
            "snapshot_id": row.id,
            "rows": row.rows,
            "last_applied_sequence": last_applied,
            "missing_sequences": missing,
        }
    ).to_payload()


def write_ack(
    session: Session, store: Store, signing_key: Ed25519PrivateKey, row: Snapshot
) -> Path | None:
    """Sign and write the ack for ``row`` (its committed state); returns the path or None on failure."""
    sync = session.get(ResellerSync, row.reseller_id)
    last = sync.last_applied_sequence if sync is not None else 0
    missing = missing_sequences(last, held_sequences(session, row.reseller_id))
    path = store.outbox(row.reseller_id) / ack_name(row.sequence)
    data = sign_message(ack_payload(row, last, missing), signing_key)
    try:
        write_reply(store.sftp_root, row.reseller_id, path.name, data)
    except OSError as e:
        log.error("could not write %s for snapshot #%s: %s", path, row.id, e)
        return None
    return path
