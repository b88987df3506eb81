"""The embedded SFTP server: a listening socket, one paramiko transport per connection.

``synchub serve`` starts it in a background thread; tests start it on port 0.
Only public-key logins by enrolled, enabled resellers; only the ``sftp``
subsystem (no shell, exec, port forwarding).
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
from typing import Any

import paramiko
from sqlalchemy.orm import Session, sessionmaker

from hub.core.settings import HubSettings
from hub.reception.auth import KeyAuthority
from hub.reception.jail import JailedSFTP, ReceptionContext
from hub.reception.quota import QuotaLedger

log = logging.getLogger("hub.reception")


class ResellerSSHServer(paramiko.ServerInterface):
    """One connection's SSH-level decisions; remembers which reseller logged in with which key."""

    def __init__(self, authority: KeyAuthority, peer: str) -> None:
        self.authority = authority
        self.peer = peer
        self.reseller_id = ""
        self.key_blob = b""

    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        blob = key.asbytes()
        if self.authority.check_login(username, blob, self.peer):
            self.reseller_id, self.key_blob = username, blob
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session" and self.reseller_id:
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        if name != "sftp" or not self.reseller_id:
            log.warning(
                "ssh: %s asked for subsystem %r: refused", self.reseller_id or self.peer, name
            )
            return False
        return bool(super().check_channel_subsystem_request(channel, name))


class _SFTPSubsystem(paramiko.SFTPServer):
    """paramiko's SFTP subsystem, also advertising the posix-rename extension it serves,
    so OpenSSH's ``sftp`` client uses atomic rename too."""

    def _send_server_version(self) -> int:
        t, data = self._read_packet()
        if t != paramiko.sftp.CMD_INIT:
            raise paramiko.SFTPError("Incompatible sftp protocol")
        version = int.from_bytes(data[:4], "big")
        msg = paramiko.Message()
        msg.add_int(paramiko.sftp._VERSION)
        msg.add("posix-rename@openssh.com", "1")
        self._send_packet(paramiko.sftp.CMD_VERSION, msg)
        return version


class SftpServer:
    """Listen on ``settings.sftp_host:sftp_port`` (0 = any free port, see :attr:`port`)."""

    def __init__(
        self,
        settings: HubSettings,
        session_factory: sessionmaker[Session],
        host_key: paramiko.PKey,
        *,
        max_connections: int = 100,
    ) -> None:
        self.settings = settings
        self.host_key = host_key
        self.max_connections = max_connections
        self.context = ReceptionContext(
            sftp_root=settings.sftp_root,
            ledger=QuotaLedger(settings.inbox_quota_bytes),
            authority=KeyAuthority(session_factory),
        )
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._transports: list[paramiko.Transport] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("the SFTP server is not started")
        return int(self._sock.getsockname()[1])

    @property
    def host(self) -> str:
        return self.settings.sftp_host

    def start(self) -> SftpServer:
        self.settings.sftp_root.mkdir(parents=True, exist_ok=True)
        family = socket.AF_INET6 if ":" in self.settings.sftp_host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.settings.sftp_host, self.settings.sftp_port))
        sock.listen(64)
        sock.setblocking(False)
        self._sock = sock
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="synchub-sftp", daemon=True)
        self._thread.start()
        log.info("sftp: listening on %s:%d", self.settings.sftp_host, self.port)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with self._lock:
            transports, self._transports = self._transports, []
        for t in transports:
            t.close()
        for t in transports:
            t.join(timeout=5)

    def __enter__(self) -> SftpServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _serve(self) -> None:
        assert self._sock is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self._sock, selectors.EVENT_READ)
            while not self._stopping.is_set():
                if not sel.select(timeout=0.2):
                    continue
                try:
                    conn, addr = self._sock.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as exc:
                    log.error("sftp: accept failed: %s", exc)
                    continue
                self._handle(conn, f"{addr[0]}:{addr[1]}")

    def _handle(self, conn: socket.socket, peer: str) -> None:
        with self._lock:
            self._transports = [t for t in self._transports if t.is_active()]
            if len(self._transports) >= self.max_connections:
                log.warning("sftp: %d connections open; refusing %s", len(self._transports), peer)
                conn.close()
                return
        conn.setblocking(True)
        try:
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler(
                "sftp", _SFTPSubsystem, sftp_si=JailedSFTP, context=self.context
            )
            # With an event, start_server returns at once: a slow client cannot stall accept().
            transport.start_server(
                event=threading.Event(), server=ResellerSSHServer(self.context.authority, peer)
            )
        except (paramiko.SSHException, OSError) as exc:
            log.warning("sftp: connection from %s failed: %s", peer, exc)
            conn.close()
            return
        with self._lock:
            self._transports.append(transport)
