"""Writing a file so that readers see either nothing or all of it, with the mode we chose.

The one way the project writes a file another process may read (keys, sealed
snapshots, acks, offers, order answers, payment proofs, the agent's ledgers):

* a **unique** temporary name in the target's folder (``mkstemp``), so two
  processes writing the same file at once never share a temp file (two ingest
  workers both writing ``seal.pub`` did, with ``seal.pub.tmp``);
* the **mode set explicitly** with ``fchmod`` before any byte is written, never
  left to the process's umask: an ack the hub writes for a reseller's chrooted
  login must be group-readable whatever ``UMask=`` the service runs with, and a
  private key must never be, not even for an instant;
* data ``fsync``-ed, then ``os.replace`` onto the final name, then the folder
  fsync-ed (POSIX), so a crash leaves the old file or the new one, never half;
* on any error the temporary file is removed.

Readers that list folders must skip hidden names: temp files are ``.<name>.<random>.tmp``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Union

StrPath = Union[str, "os.PathLike[str]"]


def fsync_dir(path: StrPath) -> None:
    """Make a rename in ``path`` durable (a no-op on Windows, whose folders cannot be fsynced)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _chmod(fd: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # Windows: only the read-only bit exists
        os.chmod(path, mode)


@contextlib.contextmanager
def atomic_file(path: StrPath, *, mode: int) -> Iterator[BinaryIO]:
    """``with atomic_file(p, mode=0o640) as f: f.write(...)`` — ``p`` appears whole on success.

    ``mode`` is required: every caller says who may read what it writes.
    The parent folder must exist (its owner and mode are a deployment decision).
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        _chmod(fd, tmp, mode)
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)


def write_atomic(path: StrPath, data: bytes, *, mode: int) -> Path:
    """Write ``data`` to ``path`` atomically with ``mode``; returns the path."""
    with atomic_file(path, mode=mode) as out:
        out.write(data)
    return Path(path)
