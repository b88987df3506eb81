"""The director's monthly pack: subscribed on the Reports page, queued by the job on the 1st,
delivered by a real SMTP server (aiosmtpd) with the PDF attached; a second run sends nothing."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage, Message
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.core.db import transaction
from hub.core.roles import Role
from hub.jobs import default_jobs
from hub.notifications.senders import SmtpSender
from hub.notifications.service import deliver_due
from hub.periods.calendar import Period
from hub.reports import store
from hub.reports.kinds import Params, build
from hub.reports.subscriptions import send_monthly
from tests.hub.notifications.mailkit import smtp  # noqa: F401  (fixture)
from tests.hub.periods.kit import FIN
from tests.hub.reports.readback import pdf_money, pdf_text, report_money
from tests.hub.reports.web import open_app

JAN = Period.month(2026, 1)
FEB_1 = dt.datetime(2026, 2, 1, 0, 30, tzinfo=dt.timezone.utc)  # 07:30 WIB on the 1st


def _pdf_of(message: Message) -> bytes:
    part = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def test_the_monthly_pack_reaches_each_subscriber_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    smtp,  # noqa: F811
) -> None:
    inbox, port = smtp
    web = open_app(tmp_path, monkeypatch)
    director = web.client(Role.OWNER)
    page = director.post("/reports/subscriptions", data={"address": "bukan-alamat"})
    assert "bukan-alamat" in page.text and "bukan alamat e-mail" in page.text  # said, kept
    ok = director.post(
        "/reports/subscriptions", data={"address": "direktur@example.co.id", "locale": "id"}
    )
    assert ok.status_code in (200, 303), ok.text
    web.client(Role.FINANCE).post(
        "/reports/subscriptions", data={"address": "finance@example.co.id", "locale": "en"}
    )
    with transaction(web.hub.factory) as s:
        store.close_month(s, FIN, JAN)  # frozen: the pack holds the final figures

    # what the job does at 07:00 WIB on 1 February; then the command once more (a retry)
    job = next(j for j in default_jobs() if j.name == "reports-monthly")
    assert "day='1'" in str(job.trigger) and "hour='7'" in str(job.trigger)
    first = send_monthly(web.hub.factory, tmp_path / "hub", now=FEB_1)
    assert (first.period, first.queued, first.already) == ("2026-01", 2, 0)
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "hub"))
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "test")
    again = CliRunner().invoke(
        cli, ["reports", "send-monthly", "--period", "2026-01"], catch_exceptions=False
    )
    assert again.exit_code == 0 and "0 queued" in again.output, again.output

    sent = deliver_due(web.hub.factory, {"email": SmtpSender("127.0.0.1", port, "hub@test")})
    assert sent.sent == 2
    assert (
        deliver_due(web.hub.factory, {"email": SmtpSender("127.0.0.1", port, "hub@test")}).sent == 0
    )
    mails = {
        m.rcpt_tos[0]: email.message_from_bytes(m.content, policy=email.policy.default)
        for m in inbox.messages
    }
    assert set(mails) == {"direktur@example.co.id", "finance@example.co.id"}
    assert mails["direktur@example.co.id"]["Subject"] == "[SyncHub] Laporan bulanan Januari 2026"
    english = mails["finance@example.co.id"]
    assert (
        isinstance(english, EmailMessage)
        and english["Subject"] == "[SyncHub] Monthly reports January 2026"
    )
    body = english.get_body(("plain",))
    assert body is not None and "final figures" in body.get_content()  # the month is closed

    # the attached pack holds the month's figures: the sales report's amounts, in order
    text = pdf_text(_pdf_of(mails["direktur@example.co.id"]), tmp_path)
    with web.hub.factory() as s:
        sales = build(s, "sales", Params(JAN))
    expected = report_money(sales)
    found = pdf_money(text)
    assert any(found[i : i + len(expected)] == expected for i in range(len(found))), found[:20]
