"""The demo's local mail server: the hub's real e-mail channel, delivered to a folder.

The demo hub's notifications go out the way a production hub's do: the outbox, the delivery
job, :class:`hub.notifications.senders.SmtpSender` speaking SMTP. Only the server is the
demo's own — aiosmtpd on loopback (no message leaves the machine) — which keeps every
accepted message as an ``.eml`` file under ``<home>/mailbox/<recipient>/`` to open in any
mail reader. Like a company's mail server it knows its domains: mail to any other domain
(a mistyped address) is refused with SMTP's 550, which the hub's outbox shows with the
reason after its attempts.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

# The domains of the demo's people: the distributor's staff, the resellers' shops, the supplier.
DOMAINS = frozenset(
    {
        "distributor.example",
        "tokomaju.example",
        "cvsinar.example",
        "udberkah.example",
        "northwind.example",
    }
)
SENDER = "synchub@distributor.example"


class _Mailbox:
    """aiosmtpd handler: refuse unknown domains at RCPT, keep each accepted message."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.kept = folder, 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if domain not in DOMAINS:
            return f"550 5.1.2 {domain}: no such domain here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for rcpt in envelope.rcpt_tos:
            box = self.folder / rcpt.lower()
            box.mkdir(parents=True, exist_ok=True)
            self.kept += 1
            (box / f"{self.kept:04d}.eml").write_bytes(envelope.original_content)
        return "250 OK: kept in the demo's mailbox"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class LocalMailServer:
    """``with LocalMailServer(folder) as mail:`` an SMTP server on ``mail.host:mail.port``."""

    def __init__(self, folder: Path, host: str = "127.0.0.1") -> None:
        self.folder, self.host = folder, host
        self.port = 0
        self._controller: Controller | None = None

    def __enter__(self) -> LocalMailServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = _free_port(self.host)
        self._controller = Controller(_Mailbox(self.folder), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[Path]:
        return sorted(self.folder.rglob("*.eml"))
