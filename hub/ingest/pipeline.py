"""Processing one claimed snapshot, inside the transaction that claimed it.

Order of checks (cheapest and most telling first): the file is in the right
inbox → the reseller is enrolled and enabled → the file is there → its clear
header matches its name → signature and decryption (``shared.seal``) → the
sequence decision → extraction into a private staging folder with every part
hash and row count checked → the manifest matches the name → merge.

The caller owns the transaction: this module only adds to it. The merge runs
in a SAVEPOINT, so if it fails, its rows are rolled back while the snapshot's
row is marked quarantined in the same (outer) transaction. The snapshot's
status, the merged rows and the reseller's sync state are therefore committed
together or not at all: nothing is ever half-applied.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.keys import HubKeys
from hub.core.phrases import Phrase, english, stored
from hub.ingest import requests
from hub.ingest.models import ResellerSync, Snapshot, Status
from hub.ingest.reasons import Rejected, describe, mismatch, said
from hub.ingest.sequence import Decision, decide, lock_sync
from hub.ingest.store import Store
from hub.merge import merge_snapshot
from hub.resellers.service import find_reseller
from shared.errors import RetriableError
from shared.keys import signing_public_key_from_b64
from shared.manifest import parse_snapshot_filename
from shared.seal import SealHeader, open_sealed, open_snapshot, read_header

log = logging.getLogger(__name__)

# Failure-injection knob for the crash tests: sleep this many seconds after the
# merge, before the commit (and touch FAULT_MARKER first so the test knows when).
FAULT_SLEEP = "SYNCHUB_INGEST_FAULT_SLEEP_AFTER_MERGE"
FAULT_MARKER = "SYNCHUB_INGEST_FAULT_MARKER"


@dataclass
class Context:
    store: Store
    keys: HubKeys
    worker: str
    prepared: Prepared | None = None  # set by the worker on SQLite, see :func:`prepare`


@dataclass(frozen=True)
class Prepared:
    """A snapshot verified, decrypted and extracted *before* its transaction.

    On SQLite the merge transaction holds the one write lock; checking the seal and
    unpacking the parts (most of a snapshot's time) outside it keeps that lock short, so
    web requests that write wait less. Used only if the same file, signed with the same
    key, is the one claimed; otherwise the snapshot is opened again inside the transaction.
    """

    snapshot_id: int
    path: Path
    signing_key_b64: str
    reader: Any
    staging: Path


def prepare(session: Session, row: Snapshot, ctx: Context) -> Prepared | None:
    """Open ``row``'s file into a staging folder of its own (the caller removes it); None
    when anything is off: the transaction then opens it again and decides (quarantine)."""
    reseller = find_reseller(session, row.reseller_id)
    path = ctx.store.locate(row)
    if reseller is None or path is None or not path.is_file() or path.is_symlink():
        return None
    ctx.store.staging.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=ctx.store.staging_prefix(row.id, "p"), dir=ctx.store.staging)
    )
    try:
        signer = signing_public_key_from_b64(reseller.signing_public_key, source=row.reseller_id)
        reader = open_snapshot(
            path, hub_private_key=ctx.keys.seal_key, signer_public_key=signer, dest_dir=staging
        )
    except Exception:  # decided (and quarantined) inside the transaction, with the reason
        shutil.rmtree(staging, ignore_errors=True)
        return None
    return Prepared(row.id, path, reseller.signing_public_key, reader, staging)


@contextmanager
def _opened(row: Snapshot, path: Path, signing_key_b64: str, ctx: Context) -> Iterator[Any]:
    ready = ctx.prepared
    if (
        ready is not None
        and ready.snapshot_id == row.id
        and ready.path == path
        and ready.signing_key_b64 == signing_key_b64
    ):
        yield ready.reader
        return
    signer = signing_public_key_from_b64(signing_key_b64, source=f"reseller {row.reseller_id}")
    ctx.store.staging.mkdir(parents=True, exist_ok=True)
    prefix = ctx.store.staging_prefix(row.id)  # removed on the way out, failed or not
    with tempfile.TemporaryDirectory(prefix=prefix, dir=ctx.store.staging) as staging:
        yield open_snapshot(
            path, hub_private_key=ctx.keys.seal_key, signer_public_key=signer, dest_dir=staging
        )


@dataclass
class Outcome:
    """What happened to one snapshot; ``also`` lists ids whose status changed with it (superseded)."""

    snapshot_id: int
    reseller_id: str
    sequence: int
    status: str
    reason: str | None = None
    also: list[int] = field(default_factory=list)


def process(session: Session, row: Snapshot, ctx: Context) -> Outcome:
    """Decide and (maybe) apply ``row``; the caller commits. Transient errors propagate (no quarantine)."""
    row.status = Status.PROCESSING.value
    row.attempts = (row.attempts or 0) + 1
    row.worker = ctx.worker
    row.started_at = utcnow()
    sync = lock_sync(session, row.reseller_id)
    try:
        return _process(session, row, sync, ctx)
    except (RetriableError, sa_exc.OperationalError, sa_exc.InterfaceError):
        raise  # the database or something outside went away: roll back, try again later
    except OSError as e:
        if isinstance(e, FileNotFoundError):
            return _quarantine(session, row, describe(e))
        raise  # disk full, permissions: an operator fixes the hub, the row is retried
    except Exception as e:  # everything else is about this snapshot: quarantine it
        log.warning("snapshot #%s %s quarantined: %s", row.id, row.file_name, e)
        return _quarantine(session, row, describe(e))


def _process(session: Session, row: Snapshot, sync: ResellerSync, ctx: Context) -> Outcome:
    t0 = time.monotonic()
    _check_origin(session, row)
    reseller = find_reseller(session, row.reseller_id)
    assert reseller is not None  # checked by _check_origin
    path = ctx.store.locate(row)
    if path is None or not path.is_file() or path.is_symlink():
        raise Rejected(
            said(
                "the file is missing from the hub's store (deleted by hand?) — "
                "ask the reseller to push this sequence again"
            ),
            "FileMissing",
        )
    header = read_header(path)
    for name in ("reseller_id", "sequence", "kind"):
        bad = mismatch(name, getattr(row, name), _field(header, name), "sealed header")
        if bad:
            raise bad
    signer = signing_public_key_from_b64(
        reseller.signing_public_key, source=f"reseller {row.reseller_id}"
    )
    decision = decide(row.kind, row.sequence, sync.last_applied_sequence)
    if decision is not Decision.APPLY:
        with open_sealed(path, hub_private_key=ctx.keys.seal_key, signer_public_key=signer):
            pass  # signature, recipient and structure verified before we acknowledge anything
        if decision is Decision.DUPLICATE:
            return _seen(session, row, sync)
        lo, hi = sync.last_applied_sequence + 1, row.sequence - 1
        return _finish(
            row,
            Status.HELD,
            said(
                "held until sequence {first} of {reseller} arrives: applied in order once the "
                "gap is filled (or a full snapshot re-bases)",
                first=lo,
                reseller=row.reseller_id,
            )
            if lo == hi
            else said(
                "held until sequences {first} to {last} of {reseller} arrive: applied in order "
                "once the gap is filled (or a full snapshot re-bases)",
                first=lo,
                last=hi,
                reseller=row.reseller_id,
            ),
        )
    with _opened(row, path, reseller.signing_public_key, ctx) as reader:
        manifest = reader.manifest
        assert manifest is not None
        for name in ("reseller_id", "sequence", "kind"):
            bad = mismatch(name, getattr(row, name), getattr(manifest, name), "manifest")
            if bad:
                raise bad
        t_verify = time.monotonic()
        with session.begin_nested():
            stats = merge_snapshot(
                session,
                reseller_id=row.reseller_id,
                snapshot_id=row.id,
                manifest=manifest,
                reader=reader,
                received_at=row.received_at,
            )
        t_merge = time.monotonic()
    row.rows = sum(ds.rows for ds in manifest.datasets)
    row.agent_version = manifest.agent_version
    row.source_created_at = manifest.created_at
    row.stats = {
        **{k: v for k, v in (row.stats or {}).items() if k == "previous_reasons"},
        "datasets": stats.to_dict(),
        "source_platform": manifest.source_platform,
        "timings": {
            "verify_extract_s": round(t_verify - t0, 4),
            "merge_s": round(t_merge - t_verify, 4),
        },
    }
    row.applied_at = utcnow()
    requests.after_merge(session, row, list(manifest.answers), stats)
    outcome = _finish(row, Status.APPLIED, None)
    outcome.also = _advance(session, sync, row)
    session.flush()
    _fault_point()
    return outcome


def _seen(session: Session, row: Snapshot, sync: ResellerSync) -> Outcome:
    """A new file under a sequence at or below the last applied one: never a silent duplicate.

    The very same file again is recognised by its SHA-256 when it is registered
    (no new row). So another file here is either a *conflict* — the hub applied
    a different file under this number: the agent lost its state (or two agents
    share one key) and must re-base — or *superseded*: a full snapshot re-based
    past this number, which was never applied.
    """
    applied = session.scalar(
        select(Snapshot.id).where(
            Snapshot.reseller_id == row.reseller_id,
            Snapshot.sequence == row.sequence,
            Snapshot.status.in_((Status.APPLIED.value, Status.DUPLICATE.value)),
            Snapshot.id != row.id,
        )
    )
    if applied is None:
        return _finish(
            row,
            Status.SUPERSEDED,
            said(
                "sequence {sequence} is older than the full snapshot {full} applied since; "
                "nothing to do",
                sequence=row.sequence,
                full=sync.last_full_sequence or sync.last_applied_sequence,
            ),
        )
    return _finish(
        row,
        Status.CONFLICT,
        said(
            "the hub already applied another file as sequence {sequence} (#{applied}, up to "
            "{last} applied): this one was not applied. The agent lost its state folder, or two "
            "agents use one key: it re-bases to {next} with a full snapshot by itself (syncagent "
            "push); if it does not, run `syncagent push --full`",
            sequence=row.sequence,
            applied=applied,
            last=sync.last_applied_sequence,
            next=sync.last_applied_sequence + 1,
        ),
    )


def _check_origin(session: Session, row: Snapshot) -> None:
    name_reseller, _seq, _kind = parse_snapshot_filename(row.file_name)
    if name_reseller != row.reseller_id:
        raise Rejected(
            said(
                "placed in another reseller's inbox: the file is named for reseller {named} "
                "but was uploaded into {inbox}'s inbox — nothing of it was applied; "
                "check which agent uploads with which account",
                named=repr(name_reseller),
                inbox=repr(row.reseller_id),
            ),
            "MisplacedFile",
        )
    reseller = find_reseller(session, row.reseller_id)
    if reseller is None:
        raise Rejected(
            said(
                "reseller {reseller} is not enrolled at this hub — enrol it "
                "(`synchub reseller add`), then retry",
                reseller=repr(row.reseller_id),
            ),
            "ResellerUnknown",
        )
    if not reseller.enabled:
        raise Rejected(
            said(
                "reseller {reseller} is disabled — enable it if this is expected, then retry",
                reseller=repr(row.reseller_id),
            ),
            "ResellerDisabled",
        )


def _advance(session: Session, sync: ResellerSync, row: Snapshot) -> list[int]:
    """Move the reseller's high-water mark; a full snapshot supersedes the held incrementals before it."""
    superseded: list[int] = []
    if row.kind == "full":
        superseded = list(
            session.scalars(
                select(Snapshot.id).where(
                    Snapshot.reseller_id == row.reseller_id,
                    Snapshot.status == Status.HELD.value,
                    Snapshot.sequence < row.sequence,
                )
            )
        )
        if superseded:
            obsolete = said(
                "made obsolete by full snapshot {sequence} (#{id}), applied instead",
                sequence=row.sequence,
                id=row.id,
            )
            session.execute(
                update(Snapshot)
                .where(Snapshot.id.in_(superseded))
                .values(
                    status=Status.SUPERSEDED.value,
                    reason=english(obsolete),
                    reason_phrases=stored(obsolete),
                )
            )
        sync.last_full_sequence = row.sequence
    sync.last_applied_sequence = row.sequence
    sync.last_success_at = utcnow()
    sync.last_snapshot_id = row.id
    return superseded


def _finish(row: Snapshot, status: Status, reason: list[Phrase] | None) -> Outcome:
    row.status = status.value
    row.reason = english(reason) if reason else None
    row.reason_phrases = stored(reason) if reason else None
    row.error_class = None
    return Outcome(row.id, row.reseller_id, row.sequence, row.status, row.reason)


def _quarantine(session: Session, row: Snapshot, rejected: Rejected) -> Outcome:
    row.status = Status.QUARANTINED.value
    row.reason, row.reason_phrases = rejected.reason, stored(rejected.phrases)
    row.error_class = rejected.error_class
    session.flush()
    return Outcome(row.id, row.reseller_id, row.sequence, row.status, rejected.reason)


def _field(header: SealHeader, name: str) -> Any:
    return getattr(header, name)


def _fault_point() -> None:
    seconds = os.environ.get(FAULT_SLEEP)
    if not seconds:
        return
    marker = os.environ.get(FAULT_MARKER)
    if marker:
        Path(marker).write_text(str(os.getpid()))
    time.sleep(float(seconds))
