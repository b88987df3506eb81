"""The SFTP operations a logged-in reseller may perform, confined to its own folders.

Every path goes through :func:`hub.reception.policy.resolve` (pure rules), and
every file operation through the directory descriptors of
:class:`hub.reception.layout.AreaFds` with ``O_NOFOLLOW`` / ``follow_symlinks=False``,
so neither a crafted name nor a symlink on disk leads outside the reseller's
folders. Refusals are logged (reseller, operation, path, reason).
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from paramiko import SFTPAttributes, SFTPServer, SFTPServerInterface
from paramiko.sftp import SFTP_FAILURE, SFTP_NO_SUCH_FILE, SFTP_OK, SFTP_PERMISSION_DENIED

from hub.core.dropbox import ensure_dirs
from hub.reception import policy
from hub.reception.auth import KeyAuthority
from hub.reception.handles import FileHandle, UploadHandle, set_times
from hub.reception.layout import AreaFds
from hub.reception.policy import Area, PathRefused, VPath, resolve
from hub.reception.quota import QuotaLedger

log = logging.getLogger("hub.reception")
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass
class ReceptionContext:
    """What every session shares: where folders live, the quota ledger, the key authority."""

    sftp_root: Path
    ledger: QuotaLedger
    authority: KeyAuthority
    recheck_seconds: float = (
        2.0  # how stale the "still enabled?" answer may be during a write burst
    )


class Denied(Exception):
    def __init__(
        self, reason: str, code: int = SFTP_PERMISSION_DENIED, *, security: bool = True
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.security = security


def _op(name: str) -> Callable[[_F], _F]:
    """Turn refusals and OS errors of one operation into SFTP status codes, logging refusals."""

    def deco(fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(self: JailedSFTP, *args: Any) -> Any:
            try:
                if self.fds is None:
                    raise Denied("the session's folders could not be opened", SFTP_FAILURE)
                return fn(self, *args)
            except (PathRefused, Denied) as exc:
                code = exc.code if isinstance(exc, Denied) else SFTP_PERMISSION_DENIED
                level = logging.WARNING if getattr(exc, "security", True) else logging.INFO
                shown = " ".join(repr(a)[:120] for a in args if isinstance(a, str))
                log.log(level, "sftp: refused %s %s for %s: %s", name, shown, self.reseller_id, exc)
                return code
            except OSError as exc:
                return SFTPServer.convert_errno(exc.errno)

        return wrapper  # type: ignore[return-value]

    return deco


class JailedSFTP(SFTPServerInterface):
    """One reseller's SFTP session (instantiated by paramiko per ``sftp`` subsystem)."""

    def __init__(self, server: Any, *args: Any, context: ReceptionContext, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        self.ctx = context
        self.reseller_id: str = server.reseller_id
        self.key_blob: bytes = server.key_blob
        self.peer: str = server.peer
        self.fds: AreaFds | None = None
        self._checked_at = float("-inf")
        # Here rather than in session_started(): paramiko answers the client's INIT before
        # calling that, and the client may already be listing /outbox.
        try:
            ensure_dirs(self.ctx.sftp_root, self.reseller_id)
            self.fds = AreaFds.open(self.ctx.sftp_root, self.reseller_id)
        except OSError as exc:
            log.error(
                "sftp: cannot open folders of %s (%s): every operation will fail",
                self.reseller_id,
                exc,
            )

    # --- session ------------------------------------------------------------

    def session_started(self) -> None:
        log.info("sftp: session of %s from %s started", self.reseller_id, self.peer)

    def session_ended(self) -> None:
        if self.fds is not None:
            self.fds.close()
            self.fds = None
        log.info("sftp: session of %s from %s ended", self.reseller_id, self.peer)

    def still_allowed(self, force: bool = True) -> bool:
        """Re-check the reseller is enabled with this key (forced, or when the last check is stale)."""
        now = time.monotonic()
        if force or now - self._checked_at > self.ctx.recheck_seconds:
            if not self.ctx.authority.still_allowed(self.reseller_id, self.key_blob):
                return False
            self._checked_at = now
        return True

    def _require_allowed(self, force: bool = True) -> None:
        if not self.still_allowed(force):
            raise Denied("reseller disabled or its key was rotated since login")

    def _area_fd(self, area: Area) -> int:
        assert self.fds is not None
        return {Area.ROOT: self.fds.root, Area.INBOX: self.fds.inbox, Area.OUTBOX: self.fds.outbox}[
            area
        ]

    # --- files --------------------------------------------------------------

    @_op("open")
    def open(self, path: str, flags: int, attr: SFTPAttributes) -> Any:
        self._require_allowed()
        vp = resolve(path)
        if vp.name is None:
            raise Denied("a folder cannot be opened as a file")
        writing = (flags & os.O_ACCMODE) != os.O_RDONLY or flags & (
            os.O_CREAT | os.O_TRUNC | os.O_APPEND
        )
        if vp.area is Area.OUTBOX:
            if writing:
                raise Denied("/outbox is read-only")
            return FileHandle(self._open_regular(vp, os.O_RDONLY), flags, vp.name)
        if not writing:
            if not policy.may_read_inbox(self.reseller_id, vp.name):
                raise Denied("not one of this reseller's upload names")
            return FileHandle(self._open_regular(vp, os.O_RDONLY), flags, vp.name)
        if not policy.may_write(self.reseller_id, vp.name):
            raise Denied(
                f"uploads must be written as {self.reseller_id}-<12 digits>-full|incremental.snap.part "
                "or order-<id>.json.part, then renamed"
            )
        keep = flags & (os.O_ACCMODE | os.O_APPEND | os.O_CREAT | os.O_TRUNC | os.O_EXCL)
        fd = self._open_regular(vp, keep)
        assert self.fds is not None
        self.ctx.ledger.refresh(self.reseller_id, self.fds.inbox)
        log.info("sftp: %s writing inbox/%s", self.reseller_id, vp.name)
        return UploadHandle(
            fd, flags, vp.name, reseller_id=self.reseller_id, ledger=self.ctx.ledger,
            still_allowed=lambda: self.still_allowed(force=False),
        )  # fmt: skip

    def _open_regular(self, vp: VPath, flags: int) -> int:
        assert vp.name is not None
        try:
            fd = os.open(
                vp.name,
                flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                0o640,
                dir_fd=self._area_fd(vp.area),
            )
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENXIO):  # a symlink on disk; a FIFO/socket
                raise Denied(f"{vp} is not a regular file on disk; not followed") from None
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise Denied(f"{vp} is not a regular file on disk")
        return fd

    @_op("remove")
    def remove(self, path: str) -> int:
        self._require_allowed()
        vp = resolve(path)
        if (
            vp.area is not Area.INBOX
            or vp.name is None
            or not policy.may_remove(self.reseller_id, vp.name)
        ):
            raise Denied("only an unfinished upload of one's own (.part) may be removed")
        self._regular_lstat(vp)
        assert self.fds is not None
        os.unlink(vp.name, dir_fd=self.fds.inbox)
        log.info("sftp: %s removed inbox/%s", self.reseller_id, vp.name)
        return SFTP_OK

    @_op("rename")
    def rename(self, oldpath: str, newpath: str) -> int:
        return self._finish_upload(oldpath, newpath, overwrite=False)

    @_op("posix-rename")
    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self._finish_upload(oldpath, newpath, overwrite=True)

    def _finish_upload(self, oldpath: str, newpath: str, *, overwrite: bool) -> int:
        """``X.part`` → ``X`` in the inbox, atomically. Plain SFTP rename never overwrites;
        posix-rename replaces atomically (OpenSSH's semantics, same as the production server)."""
        self._require_allowed()
        old, new = resolve(oldpath), resolve(newpath)
        if not (old.area is new.area is Area.INBOX and old.name and new.name):
            raise Denied("only X.part -> X inside /inbox may be renamed")
        if not policy.may_rename(self.reseller_id, old.name, new.name):
            raise Denied("only X.part -> X of one's own upload names may be renamed")
        st = self._regular_lstat(old)
        fd = self._area_fd(Area.INBOX)
        if overwrite:
            os.replace(old.name, new.name, src_dir_fd=fd, dst_dir_fd=fd)
        else:
            try:
                os.link(old.name, new.name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
            except FileExistsError:
                raise Denied(f"{new} already exists", SFTP_FAILURE, security=False) from None
            os.unlink(old.name, dir_fd=fd)
        log.info(
            "sftp: %s finished upload inbox/%s (%d bytes)", self.reseller_id, new.name, st.st_size
        )
        return SFTP_OK

    def _regular_lstat(self, vp: VPath) -> os.stat_result:
        assert vp.name is not None
        st = os.stat(vp.name, dir_fd=self._area_fd(vp.area), follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            raise Denied(f"{vp} is not a regular file on disk")
        return st

    # --- folders and attributes -------------------------------------------

    @_op("list")
    def list_folder(self, path: str) -> Any:
        self._require_allowed()
        vp = resolve(path)
        if vp.name is not None:
            raise Denied(f"{vp} is not a folder", SFTP_NO_SUCH_FILE, security=False)
        if vp.area is Area.ROOT:
            assert self.fds is not None
            return [
                SFTPAttributes.from_stat(os.fstat(self.fds.inbox), "inbox"),
                SFTPAttributes.from_stat(os.fstat(self.fds.outbox), "outbox"),
            ]
        out = []
        with os.scandir(self._area_fd(vp.area)) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    out.append(SFTPAttributes.from_stat(st, entry.name))
        return out

    @_op("stat")
    def stat(self, path: str) -> Any:
        self._require_allowed(force=False)
        vp = resolve(path)
        if vp.name is None:
            return SFTPAttributes.from_stat(os.fstat(self._area_fd(vp.area)), str(vp))
        try:
            return SFTPAttributes.from_stat(self._regular_lstat(vp), vp.name)
        except Denied:  # symlinks and special files on disk do not exist for the client
            return SFTP_NO_SUCH_FILE

    lstat = stat  # nothing a client sees is a symlink

    @_op("setstat")
    def chattr(self, path: str, attr: SFTPAttributes) -> int:
        self._require_allowed()
        vp = resolve(path)
        if (
            vp.area is not Area.INBOX
            or vp.name is None
            or not policy.may_read_inbox(self.reseller_id, vp.name)
        ):
            raise Denied("attributes may change only on one's own uploads")
        self._regular_lstat(vp)
        fd = self._area_fd(Area.INBOX)
        name = vp.name
        return set_times(
            attr, lambda times: os.utime(name, times, dir_fd=fd, follow_symlinks=False)
        )

    def canonicalize(self, path: str) -> str:
        return policy.canonical(path)

    @_op("mkdir")
    def mkdir(self, path: str, attr: SFTPAttributes) -> int:
        raise Denied("folders cannot be created")

    @_op("rmdir")
    def rmdir(self, path: str) -> int:
        raise Denied("folders cannot be removed")

    @_op("symlink")
    def symlink(self, target_path: str, path: str) -> int:
        raise Denied("symlinks cannot be created")

    @_op("readlink")
    def readlink(self, path: str) -> Any:
        raise Denied("there are no symlinks here", SFTP_NO_SUCH_FILE, security=False)
