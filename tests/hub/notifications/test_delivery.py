"""Notifications through a real SMTP server (aiosmtpd) and a local WhatsApp-provider HTTP server."""

from __future__ import annotations

import datetime as dt
import json
import string
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hub.core.db import make_engine, session_factory, transaction
from hub.core.migrate import upgrade
from hub.notifications.models import OutboxMessage
from hub.notifications.senders import SmtpSender, WhatsAppSender
from hub.notifications.service import add_contact, deliver_due, failures, notify, retry_failed
from hub.notifications.templates import TEMPLATES, render
from tests.hub.notifications.mailkit import smtp  # noqa: F401  (fixture)
from tests.servers import free_port


@pytest.fixture
def provider() -> Iterator[tuple[list[dict[str, Any]], int, list[int]]]:
    received: list[dict[str, Any]] = []
    statuses = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"auth": self.headers.get("Authorization"), **body})
            self.send_response(statuses[0])
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, server.server_address[1], statuses
    server.shutdown()
    server.server_close()


@pytest.fixture
def factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def test_every_template_renders_in_both_languages() -> None:
    for name, variants in TEMPLATES.items():
        assert set(variants) == {"id", "en"}, name
        for lang, (subject_t, body_t) in variants.items():
            fields = {f for _, f, _, _ in string.Formatter().parse(subject_t + body_t) if f}
            assert fields, name
            subject, body = render(name, lang, {f: "7" for f in fields})
            assert "7" in subject and "?" not in subject + body, (name, lang)
        # the same fields in both languages, but for words given per language (x_id / x_en)
        ids, ens = (
            {f for _, f, _, _ in string.Formatter().parse("".join(variants[lang])) if f}
            for lang in ("id", "en")
        )
        assert {f for f in ids if not (f.endswith("_id") and f[:-3] + "_en" in ens)} == {
            f for f in ens if not (f.endswith("_en") and f[:-3] + "_id" in ids)
        }, f"{name}: id and en use other fields"
    assert render("order_placed", "xx", {"order_id": 1})[0].startswith("Pesanan")


def test_email_and_whatsapp_delivered(factory, smtp, provider) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    inbox, port = smtp
    received, wa_port, _ = provider
    with transaction(factory) as s:
        add_contact(s, "r1", "email", "toko1@example.test", "en")
        add_contact(s, "r1", "whatsapp", "+628123", "id")
        assert (
            notify(
                s,
                "r1",
                "order_shipped",
                {"order_id": 5, "courier": "JNE", "service": "REG", "waybill": "JNE777"},
            )
            == 2
        )
    senders = {
        "email": SmtpSender("127.0.0.1", port, "hub@example.test"),
        "whatsapp": WhatsAppSender(f"http://127.0.0.1:{wa_port}/send", "tok-1"),
    }
    report = deliver_due(factory, senders)
    assert (report.sent, report.failed) == (2, 0)
    assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["toko1@example.test"]
    assert b"JNE777" in inbox.messages[0].content and b"shipped" in inbox.messages[0].content
    assert received == [
        {
            "auth": "Bearer tok-1",
            "to": "+628123",
            "subject": "Pesanan #5 dikirim",
            "text": "Pesanan #5 dikirim dengan JNE REG, nomor resi JNE777.",
        }
    ]
    assert deliver_due(factory, senders).sent == 0  # nothing sent twice


def test_failures_retried_then_visible(factory, provider) -> None:  # type: ignore[no-untyped-def]
    received, wa_port, statuses = provider
    statuses[0] = 503
    with transaction(factory) as s:
        add_contact(s, "r1", "whatsapp", "+628123", "id")
        add_contact(s, "r1", "email", "x@example.test", "id")
        notify(s, "r1", "payment_rejected", {"order_id": 9, "reason": "blurry"})
    senders = {
        "whatsapp": WhatsAppSender(f"http://127.0.0.1:{wa_port}/send", "t"),
        "email": SmtpSender("127.0.0.1", free_port(), "hub@example.test", timeout=2),
    }  # nobody listens
    now = dt.datetime.now(dt.timezone.utc)
    first = deliver_due(factory, senders, now=now, max_attempts=3)
    assert (first.sent, first.retried) == (0, 2)
    assert deliver_due(factory, senders, now=now).retried == 0  # backing off
    later = now + dt.timedelta(hours=2)
    deliver_due(factory, senders, now=later, max_attempts=3)
    final = deliver_due(factory, senders, now=later + dt.timedelta(hours=2), max_attempts=3)
    assert final.failed == 2
    with factory() as s:
        failed = failures(s)
        assert {m.channel for m in failed} == {"email", "whatsapp"}
        assert all(m.attempts == 3 and m.last_error for m in failed)
        assert any("503" in m.last_error for m in failed)
    statuses[0] = 200
    with transaction(factory) as s:
        retry_failed(s, next(m.id for m in failures(s) if m.channel == "whatsapp"))
    assert deliver_due(factory, senders, now=later + dt.timedelta(hours=3)).sent == 1
    with factory() as s:
        assert s.query(OutboxMessage).filter_by(status="sent").count() == 1


def test_a_refusal_for_good_fails_at_once_a_temporary_one_is_retried(  # type: ignore[no-untyped-def]
    factory,
    smtp,  # noqa: F811
    provider,
) -> None:
    """SMTP 550 for the mailbox and HTTP 404 for the number fail on the first attempt with the
    server's answer; 450 (mailbox busy) and 503 wait for the next attempt."""
    inbox, port = smtp
    _, wa_port, statuses = provider
    inbox.refuse = {
        "gone@example.test": "550 5.1.1 no such user",
        "busy@example.test": "450 4.2.1 mailbox busy, try later",
    }
    statuses[0] = 404
    with transaction(factory) as s:
        add_contact(s, "r1", "email", "gone@example.test", "id")
        add_contact(s, "r1", "email", "busy@example.test", "id")
        add_contact(s, "r1", "whatsapp", "+62800", "id")
        notify(s, "r1", "payment_rejected", {"order_id": 9, "reason": "blurry"})
    senders = {
        "email": SmtpSender("127.0.0.1", port, "hub@example.test"),
        "whatsapp": WhatsAppSender(f"http://127.0.0.1:{wa_port}/send", "t"),
    }
    report = deliver_due(factory, senders, max_attempts=6)
    assert (report.sent, report.failed, report.retried) == (0, 2, 1)
    with factory() as s:
        by_address = {m.recipient: m for m in s.query(OutboxMessage)}
    gone, busy, number = (
        by_address["gone@example.test"],
        by_address["busy@example.test"],
        by_address["+62800"],
    )
    assert (gone.status, gone.attempts) == ("failed", 1) and "550" in gone.last_error
    assert (number.status, number.attempts) == ("failed", 1) and "404" in number.last_error
    assert (busy.status, busy.attempts) == ("pending", 1) and "450" in busy.last_error
    assert inbox.messages == []
