"""SLA timers and escalation under an injected clock: due times per priority, a staff reply
stops the first-response timer (an internal note does not), each overdue timer escalates
exactly once (note, audit row, alert to the subscribed staff), and the reseller is told of a
reply and of the resolution — never of an internal note."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hub.care import service
from hub.care.models import Ticket
from hub.care.sla import TARGETS, escalate_due, timers
from hub.core.db import transaction
from hub.core.roles import Role
from hub.monitoring.models import Alert
from hub.monitoring.service import subscribe
from hub.notifications.models import OutboxMessage
from hub.notifications.service import add_contact
from tests.hub.care.kit import T0, CareDb, audit_count, ticket

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def _states(t: Ticket, now: dt.datetime) -> dict[str, str]:
    return {tm.name: tm.state for tm in timers(t, now)}


def test_due_times_follow_the_priority_in_calendar_hours(db: CareDb) -> None:
    r1 = db.who(Role.RESELLER)
    with transaction(db.factory) as s:
        for priority, (first, resolution) in TARGETS.items():
            t = service.open_ticket(s, r1, ticket(priority=priority), T0)
            assert (t.first_response_due, t.resolution_due) == (T0 + first, T0 + resolution)
            assert t.number.startswith("TIK-2026-") and t.reseller_id == "r1"
            assert audit_count(s, "care.open", t.id) == 1
    # the table the docs promise: urgent 1 h / 8 h ... low 24 h / 5 days
    assert TARGETS["urgent"] == (1 * H, 8 * H) and TARGETS["low"] == (24 * H, 120 * H)


def test_a_staff_reply_stops_the_first_response_timer_and_an_internal_note_does_not(
    db: CareDb,
) -> None:
    r1, ops = db.who(Role.RESELLER), db.who(Role.OPERATIONS)
    with transaction(db.factory) as s:
        add_contact(s, "r1", "email", "toko-r1@example.test")
        t = service.open_ticket(s, r1, ticket(priority="high"), T0)  # 4 h / 24 h
        assert _states(t, T0 + 3 * H) == {"first_response": "running", "resolution": "running"}
        assert timers(t, T0 + 3 * H)[0].seconds_left == 3600
        service.note(s, ops, t.id, "cek ke gudang dulu", T0 + 3 * H)
        assert t.first_response_at is None  # a note is not an answer to the reseller
        assert _states(t, T0 + 5 * H)["first_response"] == "overdue"
        assert timers(t, T0 + 5 * H)[0].seconds_left == -3600
        service.reply(s, ops, t.id, "Sedang kami cek, besok kami kabari.", T0 + 5 * H)
        assert t.first_response_at == T0 + 5 * H and t.state == "waiting"
        assert _states(t, T0 + 6 * H) == {"first_response": "late", "resolution": "running"}
        service.resolve(s, ops, t.id, "Barang dikirim ulang.", T0 + 20 * H)
        assert _states(t, T0 + 30 * H) == {"first_response": "late", "resolution": "met"}
        sent = [
            (m.template, m.payload.get("body"))
            for m in s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.reseller_id == "r1")
                .order_by(OutboxMessage.id)
            )
        ]
    assert sent == [
        ("care_reply", "Sedang kami cek, besok kami kabari."),
        ("care_resolved", "Barang dikirim ulang."),
    ]  # the internal note was never sent


def test_each_overdue_timer_escalates_once_under_the_injected_clock(db: CareDb) -> None:
    r1, r2, ops = db.who(Role.RESELLER), db.who(Role.RESELLER, "r2"), db.who(Role.OPERATIONS)
    with transaction(db.factory) as s:
        subscribe(s, s.merge(db.users["owner"]), "email", "direktur@example.test", ["care_sla"])
        urgent = service.open_ticket(s, r1, ticket(priority="urgent"), T0)  # 1 h / 8 h
        normal = service.open_ticket(s, r2, ticket(priority="normal"), T0)  # 8 h / 72 h
        answered = service.open_ticket(s, r1, ticket(priority="urgent"), T0)
        service.reply(s, ops, answered.id, "Kami datang jam 10.", T0 + 30 * M)

    def run(at: dt.datetime) -> list[tuple[str, str]]:
        with transaction(db.factory) as s:
            return [(n, timer) for n, timer in escalate_due(s, at)]

    assert run(T0 + 59 * M) == []  # nothing is due yet
    assert run(T0 + 1 * H) == [(urgent.number, "first_response")]  # due at exactly 1 h
    assert run(T0 + 2 * H) == []  # once per timer, however often the job runs
    assert run(T0 + 8 * H) == [
        (urgent.number, "resolution"),
        (normal.number, "first_response"),
        (answered.number, "resolution"),
    ]
    assert run(T0 + 9 * H) == []
    with transaction(db.factory) as s:
        t = s.get(Ticket, urgent.id)
        assert t is not None
        assert (t.escalated_response_at, t.escalated_resolution_at) == (T0 + H, T0 + 8 * H)
        assert audit_count(s, "care.escalate", urgent.id) == 2
        assert audit_count(s, "care.escalate", answered.id) == 1  # its reply came in time
        notes = [(m.event, m.body, m.internal) for m in t.messages if m.event]
        assert notes == [("escalated", "first_response", True), ("escalated", "resolution", True)]
        alerts = list(s.scalars(select(Alert).where(Alert.kind == "care_sla")))
        assert len(alerts) == 4 and all(a.queued == 1 for a in alerts)
        mails = list(
            s.scalars(select(OutboxMessage).where(OutboxMessage.template == "alert_care_sla"))
        )
        assert {m.recipient for m in mails} == {"direktur@example.test"} and len(mails) == 4
        # the reseller never sees the escalation notes
        assert all(not m.internal for m in service.visible_messages(t, r1))


def test_a_resolved_or_re_triaged_ticket_escalates_by_its_new_times(db: CareDb) -> None:
    r1, ops = db.who(Role.RESELLER), db.who(Role.OPERATIONS)
    with transaction(db.factory) as s:
        t = service.open_ticket(s, r1, ticket(priority="low"), T0)  # 24 h / 120 h
        service.triage(s, ops, t.id, "technical", "urgent", T0 + 10 * M)  # now 1 h / 8 h
        assert t.first_response_due == T0 + H and audit_count(s, "care.triage", t.id) == 1
        done = service.open_ticket(s, r1, ticket(priority="urgent"), T0)
        service.resolve(s, ops, done.id, "Sudah beres lewat telepon.", T0 + 30 * M)
    with transaction(db.factory) as s:
        # the resolved ticket stops both timers; the re-triaged one is late at 1 h
        assert escalate_due(s, T0 + 10 * H) == [
            (t.number, "first_response"),
            (t.number, "resolution"),
        ]
        resolved = s.get(Ticket, done.id)
        assert resolved is not None
        assert _states(resolved, T0 + 10 * H) == {"first_response": "met", "resolution": "met"}
