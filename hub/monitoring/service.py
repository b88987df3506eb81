"""Alerts: find what went wrong, raise each episode once, queue it to the staff who subscribed.

Episodes, each with a unique key so that however often the check runs (every minute,
on whichever process leads) it alerts once:

* ``missed_sync`` — a reseller's last applied snapshot is older than its expected
  schedule plus grace (:class:`SyncSchedule`, else the hub's defaults); one alert per
  last success, so the next miss after a good sync alerts again;
* ``quarantine`` — a snapshot refused (one alert per snapshot), and a snapshot not applied
  because another file was applied under its sequence number (``conflict``: an agent that
  lost its state folder, or two agents sharing a key; the agent heals itself, the staff is
  told all the same);
* ``held`` — a snapshot waiting for missing sequences for longer than the grace;
* ``job_failed`` — a periodic job raised (one alert per failure streak).

Messages go through ``hub.notifications`` (the outbox and its e-mail/WhatsApp delivery
job), so a broken mail server never blocks a check. Nothing here commits: the caller's
transaction does (docs/transactions.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.i18n import LOCALES, Formatter
from hub.core.roles import STAFF
from hub.ingest.models import ResellerSync, Snapshot, Status
from hub.monitoring.models import KINDS, Alert, AlertSubscription, JobStatus, SyncSchedule
from hub.notifications.service import CHANNELS, notify_addresses
from hub.resellers.models import Reseller
from hub.users.models import User
from shared.errors import DataError, NotFound

log = logging.getLogger("hub.monitoring")
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
RECENT = dt.timedelta(days=7)  # quarantined snapshots older than this raise no alert


@dataclass(frozen=True)
class Expectation:
    every_hours: int
    grace_hours: int

    @property
    def allowed(self) -> dt.timedelta:
        return dt.timedelta(hours=self.every_hours + self.grace_hours)


@dataclass
class CheckReport:
    raised: list[str] = field(default_factory=list)  # keys of the alerts raised this time

    def __str__(self) -> str:
        return f"{len(self.raised)} alert(s) raised" + (
            f": {', '.join(self.raised)}" if self.raised else ""
        )


# --- subscriptions and schedules ----------------------------------------------------------


def parse_kinds(kinds: str | list[str] | None) -> str:
    """``"all"``/None or a list of :data:`KINDS` as the stored comma-separated text."""
    if kinds is None or kinds == "all" or kinds == ["all"]:
        return ",".join(KINDS)
    wanted = [k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds)]
    unknown = [k for k in wanted if k not in KINDS]
    if unknown or not wanted:
        raise DataError(
            "unknown alert kind(s): {unknown}",
            hint="kinds: {kinds} (or all)",
            unknown=", ".join(unknown) or "-",
            kinds=", ".join(KINDS),
        )
    return ",".join(dict.fromkeys(wanted))


def subscribe(
    session: Session,
    user: User,
    channel: str,
    address: str,
    kinds: str | list[str] | None = None,
    locale: str | None = None,
) -> AlertSubscription:
    """Subscribe a staff user (resellers' users get their own notifications, not hub alerts)."""
    if user.role not in {r.value for r in STAFF}:
        raise DataError(
            "{username} is a reseller user: alerts go to the distributor's staff",
            username=user.username,
            hint="subscribe a staff account (owner, operations, ...)",
        )
    if channel not in CHANNELS:
        raise DataError(
            "unknown channel {channel}",
            hint="channels: {channels}",
            channel=repr(channel),
            channels=", ".join(CHANNELS),
        )
    if not address.strip():
        raise DataError("the address is empty", hint="an e-mail address or an E.164 phone number")
    sub = AlertSubscription(
        user_id=user.id,
        channel=channel,
        address=address.strip(),
        kinds=parse_kinds(kinds),
        locale=locale or user.locale or "id",
        created_at=utcnow(),
    )
    session.add(sub)
    session.flush()
    return sub


def unsubscribe(session: Session, subscription_id: int, user_id: int | None = None) -> None:
    """Remove a subscription (``user_id``: only if it is that user's)."""
    sub = session.get(AlertSubscription, subscription_id)
    if sub is None or (user_id is not None and sub.user_id != user_id):
        raise NotFound(
            "no alert subscription #{subscription_id}",
            hint="list them to see their ids",
            subscription_id=subscription_id,
        )
    session.delete(sub)
    session.flush()


def subscriptions(session: Session, user_id: int | None = None) -> list[AlertSubscription]:
    stmt = select(AlertSubscription).order_by(AlertSubscription.id)
    if user_id is not None:
        stmt = stmt.where(AlertSubscription.user_id == user_id)
    return list(session.scalars(stmt))


def set_schedule(session: Session, reseller_id: str, every_hours: int, grace_hours: int) -> None:
    if session.get(Reseller, reseller_id) is None:
        raise NotFound(
            "no reseller {reseller_id}",
            hint="`synchub reseller list` shows them",
            reseller_id=reseller_id,
        )
    if not (1 <= every_hours <= 24 * 31 and 0 <= grace_hours <= 24 * 7):
        raise DataError(
            "schedule every {every} h, grace {grace} h is out of range",
            every=every_hours,
            grace=grace_hours,
            hint="every 1..744 hours, grace 0..168 hours",
        )
    row = session.get(SyncSchedule, reseller_id) or SyncSchedule(reseller_id=reseller_id)
    row.every_hours, row.grace_hours = every_hours, grace_hours
    session.add(row)
    session.flush()


def expectation(session: Session, reseller_id: str, default: Expectation) -> Expectation:
    row = session.get(SyncSchedule, reseller_id)
    return default if row is None else Expectation(row.every_hours, row.grace_hours)


# --- raising ------------------------------------------------------------------------------


def raise_alert(
    session: Session,
    key: str,
    kind: str,
    template: str,
    payload: Mapping[str, Any],
    reseller_id: str | None = None,
) -> Alert | None:
    """Record the episode ``key`` and queue it to its subscribers; None if it was raised before.

    The unique key makes this safe against a concurrent check (another process, a retry):
    the loser's savepoint rolls back and it sends nothing.
    """
    if session.scalar(select(Alert.id).where(Alert.key == key)) is not None:
        return None
    message = ", ".join(f"{k}={v}" for k, v in payload.items())
    alert = Alert(key=key, kind=kind, reseller_id=reseller_id, message=message, raised_at=utcnow())
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return None
    recipients = [
        (s.channel, s.address, s.locale)
        for s in subscriptions(session)
        if kind in s.kinds.split(",")
    ]
    alert.queued = notify_addresses(session, recipients, template, payload)
    if not recipients:
        log.warning("alert %s has no subscriber: %s", key, message)
    return alert


def _when(at: dt.datetime | None) -> str:
    return "never" if at is None else at.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def check_missed_syncs(
    session: Session, default: Expectation, now: dt.datetime, report: CheckReport
) -> None:
    rows = session.execute(
        select(Reseller.id, Reseller.created_at, ResellerSync.last_success_at)
        .outerjoin(ResellerSync, ResellerSync.reseller_id == Reseller.id)
        .where(Reseller.enabled.is_(True))
        .order_by(Reseller.id)
    ).all()
    for rid, created_at, last in rows:
        exp = expectation(session, rid, default)
        if now - (last or created_at) <= exp.allowed:
            continue
        key = f"missed_sync:{rid}:{(last or created_at).isoformat()}"
        payload = {"reseller": rid, "last": _when(last), "every": exp.every_hours}
        if raise_alert(session, key, "missed_sync", "alert_missed_sync", payload, rid):
            report.raised.append(key)


def check_snapshots(
    session: Session, grace: dt.timedelta, now: dt.datetime, report: CheckReport
) -> None:
    """Quarantined and conflicting snapshots (at once), snapshots held longer than ``grace``."""
    # Recent ones only: on the first run after an upgrade, years of old quarantine are no news.
    refused = session.scalars(
        select(Snapshot)
        .where(
            Snapshot.status.in_((Status.QUARANTINED.value, Status.CONFLICT.value)),
            Snapshot.received_at >= now - RECENT,
        )
        .order_by(Snapshot.id)
    )
    for snap in refused:
        if snap.status == Status.CONFLICT.value:
            key, template, room = f"conflict:{snap.id}", "alert_conflict", 400
        else:
            key, template, room = f"quarantine:{snap.id}:{snap.attempts}", "alert_quarantine", 300
        payload = {  # the reason in each subscriber's language (alerts render per contact)
            "reseller": snap.reseller_id,
            "sequence": snap.sequence,
            **{
                f"reason_{lang}": (
                    Formatter(lang).phrases(snap.reason_phrases, snap.reason) or "?"
                )[:room]
                for lang in LOCALES
            },
        }
        if raise_alert(session, key, "quarantine", template, payload, snap.reseller_id):
            report.raised.append(key)
    held = session.scalars(
        select(Snapshot)
        .where(Snapshot.status == Status.HELD.value, Snapshot.received_at < now - grace)
        .order_by(Snapshot.id)
    )
    for snap in held:
        applied = session.scalar(
            select(func.coalesce(ResellerSync.last_applied_sequence, 0)).where(
                ResellerSync.reseller_id == snap.reseller_id
            )
        )
        missing = f"{(applied or 0) + 1}..{snap.sequence - 1}"
        key = f"held:{snap.id}"
        payload = {"reseller": snap.reseller_id, "sequence": snap.sequence, "missing": missing}
        if raise_alert(session, key, "held", "alert_held", payload, snap.reseller_id):
            report.raised.append(key)


def check_all(
    session: Session, default: Expectation, now: dt.datetime | None = None
) -> CheckReport:
    """Every check once (the ``alerts`` job runs this every few minutes)."""
    now = now or utcnow()
    report = CheckReport()
    check_missed_syncs(session, default, now, report)
    check_snapshots(session, dt.timedelta(hours=default.grace_hours), now, report)
    return report


# --- periodic jobs ------------------------------------------------------------------------


def job_finished(session: Session, name: str, seconds: float, error: BaseException | None) -> None:
    """Record a job run; the first failure after a success raises a ``job_failed`` alert."""
    row = session.get(JobStatus, name) or JobStatus(name=name, last_error="", last_seconds=0.0)
    session.add(row)
    now = utcnow()
    row.last_seconds = seconds
    if error is None:
        row.last_ok_at, row.last_error = now, ""
        return
    row.last_failed_at, row.last_error = now, f"{type(error).__name__}: {error}"[:2000]
    streak = row.last_ok_at.isoformat() if row.last_ok_at else "never-ok"
    payload = {"job": name, "error": row.last_error[:300]}
    raise_alert(session, f"job_failed:{name}:{streak}", "job_failed", "alert_job_failed", payload)


def recent_alerts(session: Session, limit: int = 100) -> list[Alert]:
    return list(session.scalars(select(Alert).order_by(Alert.id.desc()).limit(limit)))
