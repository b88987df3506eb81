"""The built-in server's handles on a reseller's folders (layout: :mod:`hub.core.dropbox`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hub.core.dropbox import INBOX, OUTBOX, reseller_root

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


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
