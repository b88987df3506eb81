"""Alerts reach the staff who subscribed, once per episode, through the real notification outbox.

The seeded hub (tests/hub/web/webkit.py) has two resellers whose last snapshot was applied
~30 hours ago (past the default 24 h + 2 h grace) and one quarantined snapshot each.
"""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import func, select

from hub.cli import cli
from hub.core.db import transaction, utcnow
from hub.core.roles import Role
from hub.ingest.models import ResellerSync
from hub.jobs import default_jobs, run_as_leader
from hub.monitoring.models import Alert, JobStatus
from hub.notifications.models import OutboxMessage
from hub.notifications.senders import SmtpSender
from hub.notifications.service import deliver_due
from tests.hub.notifications.mailkit import Inbox, smtp  # noqa: F401  (fixture)
from tests.hub.web.webkit import Seeded


def _alerts_job():  # type: ignore[no-untyped-def]
    return next(j for j in default_jobs() if j.name == "alerts")


def _tick(hub: Seeded, times: int = 1) -> None:
    state = hub.app.state.hub
    for _ in range(times):
        run_as_leader(_alerts_job(), state.session_factory, state.settings)


def _deliver(hub: Seeded, port: int) -> None:
    sender = SmtpSender("127.0.0.1", port, "hub@example.test", timeout=5)
    deliver_due(hub.app.state.hub.session_factory, {"email": sender})


def _subjects(inbox: Inbox) -> list[str]:
    out = []
    for env in inbox.messages:
        text = env.content.decode()
        out.append(next(line for line in text.splitlines() if line.startswith("Subject:")))
    return sorted(out)


def test_a_missed_sync_alerts_its_subscriber_once(fresh_hub: Seeded, smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    inbox, port = smtp
    ops = fresh_hub.client(Role.OPERATIONS)
    made = ops.post(
        "/api/v1/alerts/subscriptions",
        json={
            "channel": "email",
            "address": "ops@example.test",
            "kinds": ["missed_sync"],
            "locale": "en",
        },
    )
    assert made.status_code == 201, made.text
    assert [s["address"] for s in ops.get("/api/v1/alerts/subscriptions").json()] == [
        "ops@example.test"
    ]
    # r2 is expected only every two days: 30 hours without a sync is fine for it.
    monkeypatch.setenv("SYNCHUB_HOME", str(fresh_hub.app.state.hub.settings.home))
    result = CliRunner().invoke(
        cli, ["alerts", "schedule", "r2", "--every-hours", "48", "--grace-hours", "2"]
    )
    assert result.exit_code == 0, result.output

    _tick(fresh_hub, times=3)  # three job ticks, one episode
    _deliver(fresh_hub, port)
    assert _subjects(inbox) == ["Subject: [SyncHub] r1 missed its sync"]
    body = inbox.messages[0].content.decode()
    assert "syncagent status" in body  # says what to do

    # r1 syncs again, then misses again: a new episode, a new alert.
    factory = fresh_hub.app.state.hub.session_factory
    with transaction(factory) as s:
        s.get(ResellerSync, "r1").last_success_at = utcnow() - dt.timedelta(hours=1)
    _tick(fresh_hub)
    _deliver(fresh_hub, port)
    assert len(inbox.messages) == 1
    with transaction(factory) as s:
        s.get(ResellerSync, "r1").last_success_at = utcnow() - dt.timedelta(hours=40)
    _tick(fresh_hub, times=2)
    _deliver(fresh_hub, port)
    assert len(inbox.messages) == 2


def test_quarantine_alerts_every_kind_subscriber_and_not_others(fresh_hub: Seeded) -> None:
    owner = fresh_hub.client(Role.OWNER)
    for address, kinds in [("all@example.test", None), ("jobs@example.test", ["job_failed"])]:
        r = owner.post(
            "/api/v1/alerts/subscriptions",
            json={"channel": "email", "address": address, "kinds": kinds},
        )
        assert r.status_code == 201, r.text
    _tick(fresh_hub, times=2)
    with fresh_hub.app.state.hub.session_factory() as s:
        outbox = s.execute(
            select(OutboxMessage.recipient, OutboxMessage.template).order_by(OutboxMessage.id)
        ).all()
        kinds = sorted(s.scalars(select(Alert.kind)))
    assert kinds == ["missed_sync", "missed_sync", "quarantine", "quarantine"]
    assert {r for r, _ in outbox} == {"all@example.test"}
    assert sorted(t for _, t in outbox) == [
        "alert_missed_sync",
        "alert_missed_sync",
        "alert_quarantine",
        "alert_quarantine",
    ]
    listed = owner.get("/api/v1/alerts").json()
    assert {a["kind"] for a in listed} == {"missed_sync", "quarantine"}


def test_a_failing_job_alerts_once_per_failure_streak(fresh_hub: Seeded) -> None:
    from apscheduler.triggers.interval import IntervalTrigger

    from hub.jobs import Job

    owner = fresh_hub.client(Role.OWNER)
    owner.post(
        "/api/v1/alerts/subscriptions",
        json={"channel": "whatsapp", "address": "+62811000", "kinds": ["job_failed"]},
    )
    state = fresh_hub.app.state.hub
    outcome = {"fail": True}

    def flaky(_f, _s):  # type: ignore[no-untyped-def]
        if outcome["fail"]:
            raise RuntimeError("courier API down")
        return "ok"

    job = Job("flaky", IntervalTrigger(minutes=1), flaky)
    for fail in (True, True, False, True):
        outcome["fail"] = fail
        run_as_leader(job, state.session_factory, state.settings)
    with state.session_factory() as s:
        sent = s.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.template == "alert_job_failed")
        ).all()
        status = s.get(JobStatus, "flaky")
        assert s.scalar(select(func.count()).select_from(Alert)) == 2
    assert [p["error"] for p in sent] == ["RuntimeError: courier API down"] * 2
    assert status is not None and status.last_ok_at is not None
    assert status.last_error == "RuntimeError: courier API down"


def test_reseller_users_cannot_subscribe(fresh_hub: Seeded) -> None:
    c = fresh_hub.client(Role.RESELLER_ADMIN)
    r = c.post(
        "/api/v1/alerts/subscriptions", json={"channel": "email", "address": "x@example.test"}
    )
    assert r.status_code == 403


def test_old_quarantine_is_no_news(fresh_hub: Seeded) -> None:
    """After an upgrade, snapshots quarantined long ago raise nothing; recent ones do."""
    from hub.ingest.models import Snapshot

    factory = fresh_hub.app.state.hub.session_factory
    with transaction(factory) as s:
        old = s.get(Snapshot, fresh_hub.snapshot_ids["r1"]["quarantined"])
        old.received_at = utcnow() - dt.timedelta(days=30)
    _tick(fresh_hub)
    with factory() as s:
        keys = sorted(s.scalars(select(Alert.key).where(Alert.kind == "quarantine")))
    assert len(keys) == 1 and keys[0].startswith(
        f"quarantine:{fresh_hub.snapshot_ids['r2']['quarantined']}:"
    )


def test_a_sequence_conflict_is_told_to_the_staff_with_what_to_do(fresh_hub: Seeded) -> None:
    """A snapshot not applied because another file holds its number (an agent whose state folder
    was lost) is not refused as corrupt, and the agent heals by itself: the staff hear of it all
    the same, once, with the hub's reason and how to check and repair (issue #16)."""
    from hub.core.phrases import english, stored
    from hub.ingest.models import Snapshot, Status
    from hub.ingest.reasons import said

    owner = fresh_hub.client(Role.OWNER)
    owner.post(
        "/api/v1/alerts/subscriptions",
        json={"channel": "email", "address": "ops@example.test", "kinds": ["quarantine"]},
    )
    factory = fresh_hub.app.state.hub.session_factory
    with transaction(factory) as s:
        snap = s.get(Snapshot, fresh_hub.snapshot_ids["r1"]["quarantined"])
        snap.status = Status.CONFLICT.value
        conflict = said(
            "the hub already applied another file as sequence {sequence} (#{applied}, up to "
            "{last} applied): this one was not applied. The agent lost its state folder, or two "
            "agents use one key: it re-bases to {next} with a full snapshot by itself (syncagent "
            "push); if it does not, run `syncagent push --full`",
            sequence=3,
            applied=7,
            last=4,
            next=5,
        )  # as the pipeline says it (hub.ingest.pipeline._seen)
        snap.reason, snap.reason_phrases = english(conflict), stored(conflict)
        conflict_id = snap.id
    _tick(fresh_hub, times=2)
    with factory() as s:
        sent = s.execute(
            select(OutboxMessage.template, OutboxMessage.payload).where(
                OutboxMessage.template == "alert_conflict"
            )
        ).all()
        keys = list(s.scalars(select(Alert.key).where(Alert.key.like("conflict:%"))))
    assert keys == [f"conflict:{conflict_id}"]
    assert len(sent) == 1 and sent[0][1]["reseller"] == "r1"
    assert "another file as sequence 3" in sent[0][1]["reason_en"]
    assert "file lain sebagai urutan 3" in sent[0][1]["reason_id"]

    from hub.notifications.templates import render

    subject, body = render("alert_conflict", "en", sent[0][1])
    assert "not applied" in subject and "request-full r1" in body
