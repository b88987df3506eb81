"""Periodic jobs of the hub, fired by one leader among however many hub processes run.

Each job is a plain function of the session factory and settings, owned by its
capability; this module only schedules them (APScheduler) and makes sure that
only the process holding the job's advisory lock runs it (on PostgreSQL;
SQLite has a single process anyway).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

import hub.periods.guard  # noqa: F401  (closed months are locked for every job's session)
from hub.backup.service import create as create_backup
from hub.core.db import transaction
from hub.core.keys import HubKeys
from hub.core.settings import HubSettings
from hub.ingest.leader import leadership
from hub.monitoring.jobs import record_run
from hub.monitoring.service import Expectation, check_all
from hub.notifications.senders import NotifySettings, senders_from
from hub.notifications.service import deliver_due
from hub.offers.service import run_nightly
from hub.orders.catalog import HubCatalog
from hub.orders.expiry import expire_due, remind_due
from hub.orders.service import OrderContext, OrderPolicy
from hub.orders.sftp import scan_order_files
from hub.orders.shipping import HubShipping
from hub.reports.subscriptions import send_monthly

log = logging.getLogger("hub.jobs")

JobFn = Callable[[sessionmaker[Session], HubSettings], Any]


@dataclass(frozen=True)
class Job:
    name: str
    trigger: BaseTrigger
    run: JobFn


def _order_files(factory: sessionmaker[Session], settings: HubSettings) -> Any:
    """Answer the order files resellers' systems dropped in their SFTP inboxes."""
    ctx = OrderContext(HubCatalog(), HubShipping(), OrderPolicy.from_env())
    signing_key = HubKeys.load_or_create(settings.keys_dir).signing_key
    return scan_order_files(
        factory, settings.sftp_root, settings.home / "order-files", ctx, signing_key
    )


def _notifications(factory: sessionmaker[Session], _settings: HubSettings) -> Any:
    """Send due emails / WhatsApp messages; without a configured channel they wait (visible)."""
    cfg = NotifySettings()
    senders = senders_from(cfg)
    return (
        deliver_due(factory, senders, max_attempts=cfg.max_attempts)
        if senders
        else "no channel configured"
    )


def _alerts(factory: sessionmaker[Session], settings: HubSettings) -> Any:
    """Missed syncs, quarantined and held snapshots: one alert per episode to the subscribers."""
    with transaction(factory) as session:
        return check_all(session, Expectation(settings.sync_every_hours, settings.sync_grace_hours))


def _backup(factory: sessionmaker[Session], settings: HubSettings) -> Any:
    """The nightly encrypted archive, with retention; without a recipient, say so every night."""
    if not settings.backup_recipient:
        log.warning("no backup made: set SYNCHUB_BACKUP_RECIPIENT (docs/operations.md)")
        return "not configured (SYNCHUB_BACKUP_RECIPIENT is empty)"
    done = create_backup(settings, factory.kw["bind"])
    return f"{done.path} ({done.bytes} bytes), {len(done.pruned)} old archive(s) removed"


def default_jobs(settings: HubSettings | None = None) -> list[Job]:
    backup_hour = settings.backup_hour if settings is not None else 2
    return [
        Job("alerts", IntervalTrigger(minutes=1), _alerts),
        Job("backup", CronTrigger(hour=backup_hour, minute=30, timezone="Asia/Jakarta"), _backup),
        Job("order-files", IntervalTrigger(minutes=1), _order_files),
        Job("notifications", IntervalTrigger(minutes=1), _notifications),
        # After the nightly syncs (agents default to 01:30 with jitter): offers from fresh data.
        Job(
            "offers-nightly",
            CronTrigger(hour=4, minute=0, timezone="UTC"),
            lambda factory, settings: run_nightly(factory, settings),
        ),
        Job(
            "orders-expiry",
            IntervalTrigger(minutes=15),
            lambda factory, _settings: expire_due(factory, OrderPolicy.from_env()),
        ),
        # The director's monthly pack: last month's reports, on the 1st before the working day.
        Job(
            "reports-monthly",
            CronTrigger(day=1, hour=7, minute=0, timezone="Asia/Jakarta"),
            lambda factory, settings: send_monthly(factory, settings.home),
        ),
        Job(
            "orders-reminders",
            IntervalTrigger(hours=1),
            lambda factory, _settings: remind_due(factory, OrderPolicy.from_env()),
        ),
    ]


def run_as_leader(job: Job, factory: sessionmaker[Session], settings: HubSettings) -> None:
    """Run ``job`` if this process wins its lock; otherwise another process runs it."""
    engine = factory.kw["bind"]
    with leadership(engine, f"job:{job.name}") as leader:
        if not leader:
            log.debug("job %s: another process is the leader", job.name)
            return
        start, error = time.perf_counter(), None
        try:
            result = job.run(factory, settings)
            log.info("job %s done: %s", job.name, result)
        except Exception as exc:  # keep the scheduler alive; the cause is logged and alerted
            log.exception("job %s failed", job.name)
            error = exc
        record_run(factory, job.name, time.perf_counter() - start, error)


def start_scheduler(
    factory: sessionmaker[Session], settings: HubSettings, jobs: list[Job] | None = None
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in jobs if jobs is not None else default_jobs(settings):
        scheduler.add_job(
            run_as_leader,
            job.trigger,
            args=(job, factory, settings),
            id=job.name,
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    return scheduler
