"""The outbox and the templates from the staff's seat: failed messages with their reason and
a retry, and staff's own wording (checked fields) used by the real delivery."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.roles import Role
from hub.notifications.models import OutboxMessage, TemplateText
from hub.notifications.senders import SendFailed
from hub.notifications.service import add_contact, deliver_due, notify
from tests.hub.web.webkit import Seeded, english, last_audit, seed


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.fail = fail

    def send(self, to: str, subject: str, body: str) -> None:
        if self.fail:
            raise SendFailed("550 mailbox unavailable")
        self.sent.append((to, subject, body))


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    hub = seed(tmp_path)
    with hub.app.state.hub.session_factory() as s:
        add_contact(s, "r1", "email", "toko1@example.test", "id")
        notify(
            s,
            "r1",
            "order_shipped",
            {"order_id": 7, "courier": "JNE", "service": "REG", "waybill": "X1"},
        )
        s.commit()
    return hub


def test_a_failed_message_shows_its_reason_and_is_retried(hub: Seeded) -> None:
    factory = hub.app.state.hub.session_factory
    report = deliver_due(factory, {"email": Recorder(fail=True)}, max_attempts=1)
    assert report.failed == 1
    ops = english(hub, Role.OPERATIONS)
    page = ops.get("/notifications").text
    assert (
        "550 mailbox unavailable" in page
        and "toko1@example.test" in page
        and "Order shipped" in page
    )
    mid = int(page.split('id="retry-')[1].split('"')[0])
    assert ops.post(f"/notifications/{mid}/retry").status_code == 303
    assert last_audit(hub).action == "notification.retry"
    assert (
        ops.post(f"/notifications/{mid}/retry").status_code == 409
    )  # pending now: nothing to retry
    recorder = Recorder()
    assert (
        deliver_due(factory, {"email": recorder}).sent == 1
        and recorder.sent[0][0] == "toko1@example.test"
    )
    assert "toko1@example.test" in ops.get("/notifications?status=sent").text
    assert hub.client(Role.FINANCE).get("/notifications").status_code == 403


def test_staff_wording_is_checked_and_used_when_sending(hub: Seeded) -> None:
    ops = english(hub, Role.OPERATIONS)
    bad = ops.post(
        "/notifications/templates/order_shipped/id",
        data={"subject": "Pesanan {ordr_id} dikirim", "body": "Resi {waybill"},
    )
    assert (
        bad.status_code == 422
        and "unknown fields ordr_id" in bad.text
        and "a brace is left open" in bad.text
    )
    ok = ops.post(
        "/notifications/templates/order_shipped/id",
        data={
            "subject": "Kiriman #{order_id} sudah jalan",
            "body": "Resi {courier}: {waybill}. Terima kasih!",
        },
    )
    assert ok.status_code == 303 and last_audit(hub).action == "notification_template.update"
    recorder = Recorder()
    deliver_due(hub.app.state.hub.session_factory, {"email": recorder})
    assert recorder.sent == [
        ("toko1@example.test", "Kiriman #7 sudah jalan", "Resi JNE: X1. Terima kasih!")
    ]
    assert (
        ops.post(
            "/notifications/templates/order_shipped/id", data={"subject": "", "body": ""}
        ).status_code
        == 303
    )
    with hub.app.state.hub.session_factory() as s:
        assert s.scalars(select(TemplateText)).all() == []
        assert s.scalars(select(OutboxMessage.status)).all() == ["sent"]
