"""Where a reseller's files live on disk: ``<sftp_root>/<reseller_id>/{inbox,outbox}``.

The same layout as the production OpenSSH chroot (``ChrootDirectory
<sftp_root>/%u``), so the ingest and the reply writers do not care which
server received a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

INBOX = "inbox"
OUTBOX = "outbox"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def reseller_root(sftp_root: Path, reseller_id: str) -> Path:
    return Path(sftp_root) / reseller_id


def inbox_dir(sftp_root: Path, reseller_id: str) -> Path:
    return reseller_root(sftp_root, reseller_id) / INBOX


def outbox_dir(sftp_root: Path, reseller_id: str) -> Path:
    return reseller_root(sftp_root, reseller_id) / OUTBOX


def ensure_dirs(sftp_root: Path, reseller_id: str) -> None:
    """Create the reseller's folders if missing (no-op when they exist)."""
    for d in (inbox_dir(sftp_root, reseller_id), outbox_dir(sftp_root, reseller_id)):
        d.mkdir(parents=True, exist_ok=True, mode=0o750)


@dataclass
class AreaFds:
    """Directory descriptors of one reseller's folders, opened without following symlinks.

    All file operations go through these (``dir_fd=``), so a symlink planted at
    any level below ``sftp_root`` is never followed.
    """

    root: int
    inbox: int
    outbox: int

    @classmethod
    def open(cls, sftp_root: Path, reseller_id: str) -> AreaFds:
        root = os.open(reseller_root(sftp_root, reseller_id), _DIR_FLAGS)
        try:
            inbox = os.open(INBOX, _DIR_FLAGS, dir_fd=root)
            try:
                outbox = os.open(OUTBOX, _DIR_FLAGS, dir_fd=root)
            except OSError:
                os.close(inbox)
                raise
        except OSError:
            os.close(root)
            raise
        return cls(root, inbox, outbox)

    def close(self) -> None:
        for fd in (self.inbox, self.outbox, self.root):
            os.close(fd)
