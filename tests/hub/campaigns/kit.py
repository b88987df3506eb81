"""Loopback servers a campaign sends through: a real SMTP server (aiosmtpd) that can refuse
chosen recipients, and a WhatsApp provider stub (local HTTP) that can answer 500 for chosen
numbers. Both record what they accepted; the refusals are the injected failures."""

from __future__ import annotations

import email
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.servers import free_port


@dataclass
class Mailbox:
    port: int = 0
    refuse: set[str] = field(default_factory=set)
    received: list[tuple[str, str, str]] = field(default_factory=list)  # to, subject, body

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable (injected)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=default)
        body = msg.get_body()
        text = body.get_content() if body is not None else ""
        for to in envelope.rcpt_tos:
            self.received.append((to, str(msg["Subject"]).strip(), text))
        return "250 OK"

    def to(self, address: str) -> list[tuple[str, str, str]]:
        return [m for m in self.received if m[0] == address]


@dataclass
class WhatsApp:
    port: int = 0
    fail: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)

    def to(self, number: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m["to"] == number]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    ctl = Controller(box, hostname="127.0.0.1", port=box.port)
    ctl.start()
    yield box
    ctl.stop()


@pytest.fixture
def whatsapp() -> Iterator[WhatsApp]:
    stub = WhatsApp()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            failing = body.get("to") in stub.fail
            if not failing:
                stub.received.append({"auth": self.headers.get("Authorization"), **body})
            self.send_response(500 if failing else 200)
            self.end_headers()
            self.wfile.write(b'{"error": "injected"}' if failing else b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub
    server.shutdown()
    server.server_close()
