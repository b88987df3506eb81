"""Open-file handles of the jailed SFTP server: positional I/O on a file descriptor
opened with ``O_NOFOLLOW`` relative to the area's directory descriptor."""

from __future__ import annotations

import logging
import os
from typing import Callable

from paramiko import SFTPAttributes, SFTPHandle, SFTPServer
from paramiko.sftp import SFTP_FAILURE, SFTP_OK, SFTP_PERMISSION_DENIED

from hub.reception.quota import QuotaLedger

log = logging.getLogger("hub.reception")

MAX_READ = 256 * 1024  # clients ask for 32-256 KiB; a short read is legal SFTP


class FileHandle(SFTPHandle):
    """A read-only handle (outbox replies, or reading back one's own upload)."""

    def __init__(self, fd: int, flags: int, name: str) -> None:
        super().__init__(flags)
        self.fd = fd
        self.name = name
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.fd)

    def read(self, offset: int, length: int) -> bytes | int:
        if not self._readable():
            return SFTP_PERMISSION_DENIED
        try:
            return os.pread(self.fd, min(length, MAX_READ), offset)
        except OSError as exc:
            return _errno(exc)

    def write(self, offset: int, data: bytes) -> int:
        return SFTP_PERMISSION_DENIED

    def stat(self) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.fstat(self.fd), self.name)
        except OSError as exc:
            return _errno(exc)

    def chattr(self, attr: SFTPAttributes) -> int:
        return SFTP_PERMISSION_DENIED

    def _readable(self) -> bool:
        return True


class UploadHandle(FileHandle):
    """A ``.part`` file being written: every growth is charged to the reseller's quota."""

    def __init__(
        self,
        fd: int,
        flags: int,
        name: str,
        *,
        reseller_id: str,
        ledger: QuotaLedger,
        still_allowed: Callable[[], bool],
    ) -> None:
        super().__init__(fd, flags, name)
        self.reseller_id = reseller_id
        self.ledger = ledger
        self.still_allowed = still_allowed
        self.append = bool(flags & os.O_APPEND)
        self.readable_flag = (flags & os.O_ACCMODE) == os.O_RDWR

    def _readable(self) -> bool:
        return self.readable_flag

    def write(self, offset: int, data: bytes) -> int:
        if not self.still_allowed():
            return SFTP_PERMISSION_DENIED
        try:
            with self.ledger.lock(self.reseller_id):
                size = os.fstat(self.fd).st_size
                start = size if self.append else offset
                growth = max(0, start + len(data) - size)
                if growth and not self.ledger.try_grow(self.reseller_id, growth):
                    log.warning(
                        "quota: refused write of %d bytes to %s/inbox/%s (inbox uses %d of %d bytes)",
                        len(data), self.reseller_id, self.name,
                        self.ledger.used(self.reseller_id), self.ledger.quota_bytes,
                    )  # fmt: skip
                    return SFTP_FAILURE
                _write_all(self.fd, data, None if self.append else offset)
        except OSError as exc:
            log.error("write to %s/inbox/%s failed: %s", self.reseller_id, self.name, exc.strerror)
            return _errno(exc)
        return SFTP_OK

    def chattr(self, attr: SFTPAttributes) -> int:
        return set_times(attr, lambda times: os.utime(self.fd, times))


def set_times(attr: SFTPAttributes, apply: Callable[[tuple[int, int]], None]) -> int:
    """SETSTAT policy: only access/modify times may change; size, owner and mode may not."""
    if attr.st_size is not None or attr.st_uid is not None or attr.st_mode is not None:
        return SFTP_PERMISSION_DENIED
    if attr.st_atime is not None and attr.st_mtime is not None:
        try:
            apply((attr.st_atime, attr.st_mtime))
        except OSError as exc:
            return _errno(exc)
    return SFTP_OK


def _write_all(fd: int, data: bytes, offset: int | None) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset)
        view = view[n:]
        if offset is not None:
            offset += n


def _errno(exc: OSError) -> int:
    return int(SFTPServer.convert_errno(exc.errno))
