"""Where a snapshot file lives on the hub's disk, and moving it there safely.

Layout (all under ``settings.home`` unless said otherwise)::

    sftp/<reseller>/inbox/<name>.snap         upload, finished (renamed from .part)
    received/<reseller>/<stem>.<sha256>.snap  registered, waiting or held
    archive/<reseller>/<stem>.<sha256>.snap   applied, duplicate or superseded (kept for audit)
    <quarantine_dir>/<reseller>/<stem>.<sha256>.snap   quarantined, with the reason in the DB

The stored name carries the file's SHA-256, so two different files with the
same wire name never collide, and a file found in ``received/`` can be matched
to its ``snapshots`` row without hashing it again. Files move *after* the
database commit; :func:`locate` therefore looks in every place, which makes a
crash between the commit and the move harmless (the scanner finishes the move).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import shutil
import socket
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hub.core.settings import HubSettings
from hub.ingest.models import TERMINAL, Snapshot, Status
from shared.atomic import atomic_file, fsync_dir

log = logging.getLogger(__name__)
STAGING_NAME = re.compile(r"^(?P<host>.+)~(?P<pid>\d+)~[ps]\d+-")
LEGACY_STAGING_NAME = re.compile(r"^[ps]\d+-[^~]*$")

_STORED_RE = re.compile(r"^(?P<stem>.+)\.(?P<sha>[0-9a-f]{64})\.snap$")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Store:
    """The hub's snapshot folders, derived from settings."""

    sftp_root: Path
    received: Path
    archive: Path
    quarantine: Path
    staging: Path

    @classmethod
    def from_settings(cls, settings: HubSettings) -> Store:
        home = settings.home
        return cls(
            settings.sftp_root,
            home / "received",
            home / "archive",
            settings.quarantine_dir,
            home / "staging",
        )

    def staging_prefix(self, snapshot_id: int, kind: str = "s") -> str:
        """The name start of a snapshot's decrypted staging folder: host and process first, so
        a sweep knows whose it is (several workers may share the folder). ``kind``: ``s`` opened
        in the merge transaction, ``p`` prepared before it (SQLite)."""
        return f"{socket.gethostname()}~{os.getpid()}~{kind}{snapshot_id}-"

    def sweep_staging(self) -> int:
        """Remove decrypted staging left by a process of this host that is gone (killed
        mid-merge): decrypted data must not outlive its merge. Returns how many were removed."""
        if not self.staging.is_dir():
            return 0
        host, removed = socket.gethostname(), 0
        for folder in self.staging.iterdir():
            owner = STAGING_NAME.match(folder.name)
            if owner is None:
                gone = LEGACY_STAGING_NAME.match(folder.name) is not None  # s<id>-…: no owner
            else:
                gone = owner["host"] == host and not _alive(int(owner["pid"]))
            if gone:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        if removed:
            log.warning("removed %d decrypted staging folder(s) left by a stopped worker", removed)
        return removed

    def inbox(self, reseller_id: str) -> Path:
        return self.sftp_root / reseller_id / "inbox"

    def outbox(self, reseller_id: str) -> Path:
        return self.sftp_root / reseller_id / "outbox"

    def place_for(self, status: str) -> Path:
        """The folder a snapshot with this status belongs in."""
        if status == Status.QUARANTINED.value:
            return self.quarantine
        if status in TERMINAL:
            return self.archive
        return self.received

    def path_for(self, row: Snapshot, status: str | None = None) -> Path:
        return (
            self.place_for(status or row.status)
            / row.reseller_id
            / stored_name(row.file_name, row.file_sha256)
        )

    def locate(self, row: Snapshot) -> Path | None:
        """Where the row's file is now (expected place first), or None if it is gone."""
        name = stored_name(row.file_name, row.file_sha256)
        places = [self.place_for(row.status), self.received, self.quarantine, self.archive]
        for base in dict.fromkeys(places):
            p = base / row.reseller_id / name
            if os.path.lexists(p):
                return p
        return None

    def settle(self, row: Snapshot) -> Path | None:
        """Move the row's file to the folder its (committed) status calls for."""
        current = self.locate(row)
        target = self.path_for(row)
        if current is None or current == target:
            return current
        move_file(current, target)
        return target


def stored_name(file_name: str, sha256: str) -> str:
    stem = file_name[:-5] if file_name.endswith(".snap") else file_name
    return f"{stem}.{sha256}.snap"


def parse_stored_name(name: str) -> tuple[str, str] | None:
    """``(wire file name, sha256)`` of a stored file, or None for anything else."""
    m = _STORED_RE.match(name)
    return None if m is None else (m.group("stem") + ".snap", m.group("sha"))


def claim_upload(src: Path, folder: Path, file_name: str) -> tuple[str, int]:
    """Take an upload out of the uploader's reach: copy it into ``folder`` as a new file of the hub's.

    The copy is hashed as it is written and lands, mode 0600, under its stored
    name (:func:`stored_name`); the upload is then removed. Returns ``(sha256, size)``.
    A rename would not do: the file would keep the uploader's inode, and an SFTP
    session still holding a write handle on it could change the bytes between the
    signature check and the decryption. Never follows a symlink; anything but a
    regular file raises ``OSError`` (``FileNotFoundError`` when another scanner took it).
    """
    fd = os.open(src, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(src))
        folder.mkdir(parents=True, exist_ok=True)
        out_fd, tmp = tempfile.mkstemp(prefix=".claim-", suffix=".tmp", dir=folder)
        try:
            os.fchmod(out_fd, 0o600)
            h, size = hashlib.sha256(), 0
            with os.fdopen(out_fd, "wb") as out:
                while chunk := os.read(fd, CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = h.hexdigest()
            os.replace(tmp, folder / stored_name(file_name, sha))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    finally:
        os.close(fd)
    fsync_dir(folder)
    with contextlib.suppress(FileNotFoundError):  # two scanners may claim the same upload
        os.unlink(src)
    return sha, size


def move_file(src: Path, dst: Path) -> None:
    """Atomic move; across file systems copy to a temp name in ``dst``'s folder, fsync, rename."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
        return
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
    with open(src, "rb") as fin, atomic_file(dst, mode=0o600) as fout:
        shutil.copyfileobj(fin, fout, CHUNK)
    os.unlink(src)


def _alive(pid: int) -> bool:
    """True while process ``pid`` exists (on this host)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True
