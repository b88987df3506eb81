"""Deliver the outbox to the hub over SFTP, and fetch the hub's messages back.

Safety properties, in the order they are enforced:

* the hub's host key must be the pinned one (:mod:`agent.ssh`);
* a snapshot is written to ``/inbox/<name>.part`` and only renamed to its
  final name after its size on the server equals the local size, so the hub
  never sees a complete-looking partial file;
* a dropped connection leaves the ``.part`` behind; the next attempt checks
  its tail against the local file and appends from there (resume);
* snapshots go strictly in sequence order, one connection for the whole
  outbox, and a file leaves the outbox (to ``sent/``) only after the rename
  succeeded — a hub that is down for days loses nothing.

paramiko and socket errors are translated into :mod:`shared.errors` in
:func:`translate` only.
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import stat as statmod
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

import paramiko

from agent.config import HubSection
from agent.ssh import load_ssh_key, verify_host_key
from shared.atomic import atomic_file
from shared.errors import FatalError, HostKeyMismatch, SyncHubError, TransferError

log = logging.getLogger("syncagent.deliver")

INBOX = "/inbox"
OUTBOX = "/outbox"
BLOCK = 32 * 1024  # the write request every SFTP server takes
# OpenSSH's sftp-server takes messages up to 256 KiB (SFTP_MAX_MSG_LENGTH), the hub's built-in
# (paramiko) server any: one request per 252 KiB instead of per 32 KiB halves the agent's Python
# work per byte (bench_upload: 0.84-0.94x -> 1.15-1.25x of OpenSSH sftp, same run)
BIG_BLOCK = 252 * 1024
BIG_WRITE_SERVERS = ("OpenSSH_", "paramiko_")
TAIL_CHECK = 64 * 1024
PREFERRED_CIPHERS = ("aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes128-ctr")

Progress = Callable[[int, int], None]  # (bytes done, total)


class HubAuthRejected(FatalError):
    """The hub refused the agent's SSH key: the operator has not registered it (yet)."""


def translate(exc: BaseException, action: str, where: str) -> SyncHubError:
    """The one place paramiko/socket errors become project errors."""
    if isinstance(exc, SyncHubError):
        return exc
    if isinstance(exc, paramiko.AuthenticationException):
        return HubAuthRejected(
            f"the hub at {where} refused our SSH key while {action}",
            hint="give the hub operator the SSH public key printed by `syncagent init` "
            "(or `syncagent check`) and the reseller id",
            host=where,
        )
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return TransferError(f"timed out while {action} ({where})", hint="will retry", host=where)
    if isinstance(exc, ConnectionRefusedError):
        return TransferError(
            f"the hub at {where} refused the connection while {action}",
            hint="is the hub's SFTP server running? will retry",
            host=where,
        )
    if isinstance(exc, (OSError, EOFError, paramiko.SSHException)):
        return TransferError(
            f"connection problem while {action} ({where}): {str(exc) or type(exc).__name__}",
            hint="will retry",
            host=where,
        )
    return TransferError(f"unexpected failure while {action} ({where}): {exc!r}", host=where)


def _short_upload(part: str, got: Optional[int], size: int) -> TransferError:
    """The hub kept less than was sent. SFTP gives a refused write no reason (a write refused
    while others were in flight may not even raise), so say what usually causes it."""
    return TransferError(
        f"{part} has {got or 0} of {size} bytes on the hub: the hub refused the rest "
        "(most often this reseller's inbox quota is used up, or the hub's disk is full)",
        hint="will retry; if it keeps failing, ask the hub's operator to check the reception "
        "log ('quota: refused write') and free disk space",
    )


def write_request_size(server_version: str) -> int:
    """Bytes per SFTP write request for the server that said ``server_version`` (``SSH-2.0-…``).

    Larger requests only where the server software is known to take them; any other
    server gets the 32 KiB every SFTP server accepts.
    """
    software = server_version.split("-", 2)[-1]
    return BIG_BLOCK if software.startswith(BIG_WRITE_SERVERS) else BLOCK


class HubConnection:
    """One authenticated SFTP session to the hub, reused for a whole delivery."""

    def __init__(self, hub: HubSection) -> None:
        self.hub = hub
        self.where = f"{hub.host}:{hub.port}"
        self.transport: Optional[paramiko.Transport] = None
        self.sftp: Optional[paramiko.SFTPClient] = None

    def __enter__(self) -> HubConnection:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self.sftp is not None and self.transport is not None and self.transport.is_active()

    def open(self) -> None:
        """Connect, check the host key, authenticate, start SFTP (nothing to do if still open)."""
        if self.is_open:
            return
        key = load_ssh_key(self.hub.ssh_key)
        try:
            sock = socket.create_connection(
                (self.hub.host, self.hub.port), timeout=self.hub.timeout_seconds
            )
            t = paramiko.Transport(sock)
            self.transport = t
            opts = t.get_security_options()
            opts.ciphers = tuple(c for c in PREFERRED_CIPHERS if c in opts.ciphers) + tuple(
                c for c in opts.ciphers if c not in PREFERRED_CIPHERS
            )
            t.start_client(timeout=self.hub.timeout_seconds)
            verify_host_key(self.hub.host_key, t.get_remote_server_key(), self.where)
            t.auth_publickey(self.hub.username, key)
            self.sftp = paramiko.SFTPClient.from_transport(t)
            self.sftp.get_channel().settimeout(self.hub.timeout_seconds)
        except BaseException as exc:
            self.close()
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise translate(exc, "connecting", self.where) from exc

    def close(self) -> None:
        for thing in (self.sftp, self.transport):
            if thing is not None:
                with contextlib.suppress(
                    Exception
                ):  # closing a broken connection: nothing more to do
                    thing.close()
        self.sftp = self.transport = None

    @property
    def _sftp(self) -> paramiko.SFTPClient:
        """The open SFTP client; only the transfer methods use it, always between open() and close()."""
        assert self.sftp is not None, "HubConnection used before open() or after close()"
        return self.sftp

    @property
    def cipher(self) -> str:
        return self.transport.local_cipher if self.transport else ""

    def _remote_size(self, path: str) -> Optional[int]:
        try:
            return self._sftp.stat(path).st_size
        except FileNotFoundError:
            return None

    def _resume_offset(self, local: Path, part: str, size: int) -> int:
        """Bytes of ``part`` that match ``local`` (0 when absent, too big or different)."""
        have = self._remote_size(part)
        if not have or have > size:
            return 0
        start = max(0, have - TAIL_CHECK)
        with self._sftp.open(part, "rb") as rf, open(local, "rb") as lf:
            rf.seek(start)
            lf.seek(start)
            if rf.read(have - start) != lf.read(have - start):
                log.warning("partial upload %s differs from the local file; starting over", part)
                return 0
        return have

    def upload(self, local: Path, progress: Optional[Progress] = None) -> None:
        """Upload ``local`` to the hub's inbox under its own name; resume a previous partial upload."""
        name = local.name
        final, part = f"{INBOX}/{name}", f"{INBOX}/{name}.part"
        size = local.stat().st_size
        try:
            if self._remote_size(final) == size:
                log.info("%s is already on the hub", name)
                return
            offset = self._resume_offset(local, part, size)
            if offset:
                log.info("resuming %s at byte %d of %d", name, offset, size)
            self._send(local, part, offset, size, progress)
            got = self._remote_size(part)
            if got != size:
                raise _short_upload(part, got, size)
            self._rename(part, final)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise translate(exc, f"uploading {name}", self.where) from exc

    def _send(
        self, local: Path, part: str, offset: int, size: int, progress: Optional[Progress]
    ) -> None:
        mode = "r+b" if offset else "wb"
        assert self.transport is not None
        request = write_request_size(self.transport.remote_version)
        with open(local, "rb") as lf, self._sftp.open(part, mode) as rf:
            rf.set_pipelined(True)
            rf.MAX_REQUEST_SIZE = request  # paramiko cuts each write into requests of this size
            lf.seek(offset)
            rf.seek(offset)
            done = offset
            while True:
                block = lf.read(request * 4)
                if not block:
                    break
                rf.write(block)
                done += len(block)
                if progress:
                    progress(done, size)
            rf.flush()

    def _rename(self, part: str, final: str) -> None:
        try:
            self._sftp.posix_rename(part, final)
        except OSError:
            # servers without the posix-rename extension: rename refuses to overwrite
            if self._remote_size(final) is not None:
                self._sftp.remove(final)
            self._sftp.rename(part, final)

    def list_messages(self) -> list[str]:
        try:
            entries = self._sftp.listdir_attr(OUTBOX)
        except FileNotFoundError:
            return []
        except BaseException as exc:
            raise translate(exc, "listing the hub's messages", self.where) from exc
        return sorted(
            e.filename
            for e in entries
            if statmod.S_ISREG(e.st_mode or 0) and e.filename.endswith(".json")
        )

    def download(self, name: str, dest: Path) -> None:
        try:
            with atomic_file(dest, mode=0o640) as out:
                self._sftp.getfo(f"{OUTBOX}/{name}", out)
        except BaseException as exc:
            raise translate(exc, f"downloading {name}", self.where) from exc


class Preconnect:
    """The hub connection, opened in the background while the export runs.

    The SSH handshake (key exchange, authentication, SFTP start: ≈ 0.17 s on
    loopback, more across a VPN) then overlaps the export instead of following
    it. :meth:`connection` is the delivery's connection factory: its first call
    hands over the early connection if it is still up; every other call (a
    retry) and a failed or dropped early connection give a fresh one, so the
    delivery's own error reporting and retries are unchanged. Keep-alives hold
    the early connection through a long export; :meth:`lend` lets a step before
    the export use it and give it back.
    """

    KEEPALIVE_SECONDS = 15

    def __init__(self, hub: HubSection) -> None:
        self.hub = hub
        self._early: Optional[HubConnection] = HubConnection(hub)
        self._thread = threading.Thread(target=self._open, name="hub-preconnect", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        conn = self._early
        assert conn is not None
        try:
            conn.open()
            assert conn.transport is not None
            conn.transport.set_keepalive(self.KEEPALIVE_SECONDS)
        except Exception as exc:  # the delivery connects again and reports what goes wrong then
            log.debug(
                "early connection to the hub failed (the delivery will connect itself): %s", exc
            )

    def connection(self) -> HubConnection:
        self._thread.join()
        conn, self._early = self._early, None
        if conn is not None and conn.is_open:
            return conn
        return HubConnection(self.hub)

    @contextlib.contextmanager
    def lend(self) -> Iterator[HubConnection]:
        """The connection for a short exchange before the export (a new state folder asking the hub
        how far it has applied), kept for the delivery afterwards: one SSH login per push."""
        conn = self.connection()
        try:
            conn.open()  # nothing to do when the early connection is up
            yield conn
        except BaseException:
            conn.close()
            raise
        if conn.is_open:
            assert conn.transport is not None
            conn.transport.set_keepalive(self.KEEPALIVE_SECONDS)  # also when it was opened anew
            self._early = conn

    def close(self) -> None:
        """Close the early connection if the delivery never took it (an export failed, say)."""
        self._thread.join()
        if self._early is not None:
            self._early.close()
            self._early = None


def backoff_delays(retries: int, base: float = 2.0, cap: float = 300.0) -> Iterator[float]:
    """Exponential back-off with full jitter: attempt k waits up to min(cap, base·2^k)."""
    for k in range(retries):
        yield random.uniform(0, min(cap, base * (2**k)))


def with_retries(
    action: Callable[[], object],
    retries: int,
    sleep: Callable[[float], None] = time.sleep,
    base: float = 2.0,
) -> object:
    """Run ``action``; on a retriable error wait and try again, up to ``retries`` times."""
    delays = backoff_delays(retries, base)
    while True:
        try:
            return action()
        except HostKeyMismatch:
            raise
        except SyncHubError as exc:
            if not exc.retriable:
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            log.warning("%s; retrying in %.1fs", exc, delay)
            sleep(delay)
