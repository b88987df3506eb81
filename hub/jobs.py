"""Periodic jobs of the hub, run exactly once however many hub processes run.

Each job is a plain function of the session factory and settings, owned by its
capability; this module only schedules them (APScheduler). Who runs them:

* ``synchub serve`` (the embedded default: one process) and ``synchub jobs``
  (production: ``deploy/systemd/synchub-jobs.service``) run :func:`run_jobs`;
  web and ingest workers never schedule jobs;
* :func:`run_jobs` schedules only while it holds the jobs leadership — a
  PostgreSQL session advisory lock (SQLite: an ``flock`` on
  ``SYNCHUB_HOME/jobs.lock``) — so a second ``synchub jobs`` (another machine,
  or ``serve`` beside the unit) waits as a standby and takes over within
  ``LEADER_CHECK_SECONDS`` when the leader dies;
* each run also takes the job's own advisory lock (:func:`run_as_leader`), so
  even a leader that lost its connection and has not noticed yet never runs a
  job while the new leader runs it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from hub.backup.service import create as create_backup
from hub.campaigns.service import public_url
from hub.campaigns.service import run_due as run_campaigns
from hub.catalog.celebrations import issue_due
from hub.core.db import transaction
from hub.core.keys import HubKeys
from hub.core.settings import HubSettings
from hub.ingest.leader import Leader, leadership
from hub.monitoring.jobs import record_run
from hub.monitoring.service import Expectation, check_all
from hub.notifications.senders import senders_from
from hub.notifications.service import deliver_due
from hub.offers.service import run_nightly
from hub.orders.catalog import HubCatalog
from hub.orders.expiry import expire_due, remind_due
from hub.orders.service import OrderContext, OrderPolicy
from hub.orders.sftp import scan_order_files
from hub.orders.shipping import HubShipping

log = logging.getLogger("hub.jobs")
JOBS_LEADER = "synchub-jobs"
LEADER_CHECK_SECONDS = 10.0
ORDER_FILES_SECONDS = 20  # an order file dropped over SFTP is answered within this (plus its run)
OFFERS_ZONE = "Asia/Jakarta"  # agents push at 01:30 their local time by default

JobFn = Callable[[sessionmaker[Session], HubSettings], Any]


@dataclass(frozen=True)
class Job:
    name: str
    trigger: BaseTrigger
    run: JobFn


def _order_files(factory: sessionmaker[Session], settings: HubSettings) -> Any:
    """Answer the order files resellers' systems dropped in their SFTP inboxes."""
    ctx = OrderContext(HubCatalog(), HubShipping(), OrderPolicy.from_settings(settings))
    signing_key = HubKeys.load(settings.keys_dir).signing_key
    return scan_order_files(
        factory, settings.sftp_root, settings.home / "order-files", ctx, signing_key
    )


def _notifications(factory: sessionmaker[Session], settings: HubSettings) -> Any:
    """Send due emails / WhatsApp messages; without a configured channel they wait (visible)."""
    cfg = settings.notify
    senders = senders_from(cfg)
    return (
        deliver_due(factory, senders, max_attempts=cfg.max_attempts)
        if senders
        else "no channel configured"
    )


def _campaigns(factory: sessionmaker[Session], settings: HubSettings) -> Any:
    """Start the campaigns whose time came; queue their messages at the configured rate."""
    with transaction(factory) as session:
        return run_campaigns(
            session,
            settings.campaign_per_minute,
            settings.secret_key.get_secret_value(),
            public_url(settings),
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
        Job("order-files", IntervalTrigger(seconds=ORDER_FILES_SECONDS), _order_files),
        Job("campaigns", IntervalTrigger(minutes=1), _campaigns),
        Job("notifications", IntervalTrigger(minutes=1), _notifications),
        # After the nightly syncs (agents default to 01:30 local time, with jitter): offers
        # from fresh data, before the shops open.
        Job(
            "offers-nightly",
            CronTrigger(hour=4, minute=0, timezone=OFFERS_ZONE),
            lambda factory, settings: run_nightly(factory, settings),
        ),
        # After midnight WIB: today's birthday and anniversary promotions.
        Job(
            "celebrations",
            CronTrigger(hour=0, minute=10, timezone="Asia/Jakarta"),
            lambda factory, _settings: issue_due(factory),
        ),
        Job(
            "orders-expiry",
            IntervalTrigger(minutes=15),
            lambda factory, settings: expire_due(factory, OrderPolicy.from_settings(settings)),
        ),
        Job(
            "orders-reminders",
            IntervalTrigger(hours=1),
            lambda factory, settings: remind_due(factory, OrderPolicy.from_settings(settings)),
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


def run_jobs(
    factory: sessionmaker[Session],
    settings: HubSettings,
    stop_event: threading.Event,
    jobs: list[Job] | None = None,
) -> None:
    """Schedule the jobs while this process is the jobs leader; stand by otherwise. Blocks until stopped."""
    engine = factory.kw["bind"]
    leader = Leader(engine, JOBS_LEADER, lock_file=settings.home / "jobs.lock")
    scheduler: BackgroundScheduler | None = None
    standby_said = False
    try:
        while not stop_event.is_set():
            try:
                if scheduler is not None and not leader.alive():
                    log.error("jobs: lost the leadership (database connection); stopping the jobs")
                    scheduler.shutdown(wait=False)
                    scheduler = None
                if scheduler is None and leader.try_acquire():
                    names = ", ".join(j.name for j in jobs or default_jobs(settings))
                    log.info("jobs: this process is the leader; scheduling %s", names)
                    scheduler = start_scheduler(factory, settings, jobs)
                elif scheduler is None and not standby_said:
                    log.info("jobs: another process is the leader; standing by")
                    standby_said = True
            except Exception:  # database down: try again at the next check
                log.exception("jobs: leader check failed")
            stop_event.wait(LEADER_CHECK_SECONDS)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        leader.release()
