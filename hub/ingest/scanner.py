"""Pick finished uploads out of the inboxes and register them in the ``snapshots`` ledger.

Only final names (``<reseller>-<sequence:012d>-<kind>.snap``) are taken: an
upload in progress is a ``.part`` file and is left alone until the uploader
renames it. A file is first claimed into the hub's store — copied into a new
file only the hub can write, named by its SHA-256, and the upload removed
(:func:`hub.ingest.store.claim_upload`: a rename would keep the uploader's
inode, which a still-open SFTP write handle could change between the
signature check and the decryption) — then registered; a crash in between is repaired by the next scan,
which registers whatever sits in the store without a row. The file is
registered under the inbox it arrived in — the authenticated uploader — even
if its name claims another reseller: the pipeline quarantines that.

Several processes may scan at once (they are normally kept apart by the
``ingest-scan`` leader lock): a file moved by another process vanishes
harmlessly, and the unique (reseller, SHA-256) key makes registration idempotent.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import utcnow
from hub.ingest.db import insert_ignore
from hub.ingest.models import PENDING, Snapshot, Status
from hub.ingest.sequence import ensure_sync_row
from hub.ingest.store import Store, claim_upload, parse_stored_name
from shared.errors import SnapshotFormatError
from shared.manifest import RESELLER_ID_RE, parse_snapshot_filename

log = logging.getLogger(__name__)


@dataclass
class ScanReport:
    registered: list[int] = field(default_factory=list)  # new snapshot ids
    moved: int = 0  # files taken out of inboxes
    repeated: list[int] = field(default_factory=list)  # ids of already known files uploaded again
    ignored: list[str] = field(default_factory=list)  # "path: why" for files left in place


def scan(store: Store, factory: sessionmaker[Session]) -> ScanReport:
    """Move finished uploads from every inbox into the store, then register the store's new files."""
    report = ScanReport()
    if store.sftp_root.is_dir():
        for reseller_dir in sorted(store.sftp_root.iterdir()):
            if RESELLER_ID_RE.match(reseller_dir.name) and (reseller_dir / "inbox").is_dir():
                _take_inbox(store, reseller_dir.name, reseller_dir / "inbox", report)
    if store.received.is_dir():
        for folder in sorted(store.received.iterdir()):
            if folder.is_dir():
                _register_folder(store, factory, folder.name, folder, report)
    return report


def _take_inbox(store: Store, reseller_id: str, inbox: Path, report: ScanReport) -> None:
    for entry in sorted(os.scandir(inbox), key=lambda e: e.name):
        name = entry.name
        if name.startswith(".") or name.endswith(".part"):
            continue  # hidden or still uploading
        try:
            parse_snapshot_filename(name)
        except SnapshotFormatError:
            report.ignored.append(f"{entry.path}: not a snapshot file name")
            continue
        try:
            claim_upload(Path(entry.path), store.received / reseller_id, name)
        except FileNotFoundError:
            continue  # taken by another scanner
        except OSError:  # a symlink (ELOOP), a directory, a device: never follow or read it
            report.ignored.append(f"{entry.path}: not a regular file")
            continue
        report.moved += 1


def _register_folder(
    store: Store, factory: sessionmaker[Session], reseller_id: str, folder: Path, report: ScanReport
) -> None:
    files: dict[str, tuple[str, Path]] = {}
    for path in folder.iterdir():
        parsed = parse_stored_name(path.name)
        if parsed is not None and path.is_file() and not path.is_symlink():
            files[parsed[1]] = (parsed[0], path)
    if not files:
        return
    with factory() as session:
        known = {
            row.file_sha256: row
            for row in session.scalars(
                select(Snapshot).where(
                    Snapshot.reseller_id == reseller_id, Snapshot.file_sha256.in_(list(files))
                )
            )
        }
    for sha, (file_name, path) in sorted(files.items(), key=lambda kv: kv[1][0]):
        row = known.get(sha)
        if row is None:
            new_id = _register(factory, reseller_id, file_name, sha, path)
            if new_id is not None:
                report.registered.append(new_id)
        elif row.status not in PENDING and row.status != Status.PROCESSING.value:
            # Uploaded again after it was dealt with (or a crash before the file moved):
            # put it where its status says, and let the worker re-send the acknowledgement.
            with contextlib.suppress(FileNotFoundError):
                store.settle(row)
            report.repeated.append(row.id)


def _register(
    factory: sessionmaker[Session], reseller_id: str, file_name: str, sha: str, path: Path
) -> int | None:
    _name_reseller, sequence, kind = parse_snapshot_filename(file_name)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    with factory() as session, session.begin():
        inserted = insert_ignore(
            session,
            Snapshot,
            {
                "reseller_id": reseller_id,
                "sequence": sequence,
                "kind": kind,
                "file_name": file_name,
                "file_sha256": sha,
                "file_bytes": size,
                "status": Status.RECEIVED.value,
                "received_at": utcnow(),
                "attempts": 0,
            },
        )
        ensure_sync_row(session, reseller_id)
        if not inserted:
            return None
        new_id = session.scalar(
            select(Snapshot.id).where(
                Snapshot.reseller_id == reseller_id, Snapshot.file_sha256 == sha
            )
        )
    log.info("registered snapshot #%s %s from %s", new_id, file_name, reseller_id)
    return new_id
