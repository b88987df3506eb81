"""``/metrics`` in Prometheus text: this process's measurements plus figures read from the database.

Per-reseller figures (snapshots by status, sync lag, overdue) and job status are read at
scrape time with one read-only session: they hold for the whole hub, whichever process
did the work, and cost nothing between scrapes. Durations (HTTP, merges, jobs) are
measured where they happen (:mod:`hub.core.metrics`); with several processes on one
machine, prometheus-client's multiprocess mode adds them up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import utcnow
from hub.ingest.models import ResellerSync, Snapshot
from hub.monitoring.models import JobStatus
from hub.monitoring.service import Expectation, expectation
from hub.resellers.models import Reseller


class HubFigures(Collector):
    """Gauges read from the database when Prometheus scrapes."""

    def __init__(self, factory: sessionmaker[Session], default: Expectation) -> None:
        self.factory, self.default = factory, default

    def collect(self) -> Iterator[Any]:
        with self.factory() as session:
            yield from self._snapshots(session)
            yield from self._lag(session)
            yield from self._jobs(session)

    def _snapshots(self, session: Session) -> Iterator[Any]:
        g = GaugeMetricFamily(
            "synchub_snapshots",
            "Snapshots received, by reseller and status (applied, quarantined, held, ...).",
            labels=["reseller", "status"],
        )
        rows = session.execute(
            select(Snapshot.reseller_id, Snapshot.status, func.count())
            .group_by(Snapshot.reseller_id, Snapshot.status)
            .order_by(Snapshot.reseller_id, Snapshot.status)
        )
        for rid, status, n in rows:
            g.add_metric([rid, status], n)
        yield g

    def _lag(self, session: Session) -> Iterator[Any]:
        lag = GaugeMetricFamily(
            "synchub_sync_lag_seconds",
            "Seconds since the reseller's last applied snapshot (since enrolment if none yet).",
            labels=["reseller"],
        )
        overdue = GaugeMetricFamily(
            "synchub_sync_overdue",
            "1 when the reseller missed its expected schedule plus grace, else 0.",
            labels=["reseller"],
        )
        now = utcnow()
        rows = session.execute(
            select(Reseller.id, Reseller.created_at, ResellerSync.last_success_at)
            .outerjoin(ResellerSync, ResellerSync.reseller_id == Reseller.id)
            .where(Reseller.enabled.is_(True))
            .order_by(Reseller.id)
        )
        for rid, created_at, last in rows:
            age = now - (last or created_at)
            lag.add_metric([rid], age.total_seconds())
            late = age > expectation(session, rid, self.default).allowed
            overdue.add_metric([rid], 1.0 if late else 0.0)
        yield lag
        yield overdue

    def _jobs(self, session: Session) -> Iterator[Any]:
        ok = GaugeMetricFamily(
            "synchub_job_last_success_timestamp_seconds",
            "Unix time of each periodic job's last successful run.",
            labels=["job"],
        )
        for row in session.scalars(select(JobStatus).order_by(JobStatus.name)):
            if row.last_ok_at is not None:
                ok.add_metric([row.name], row.last_ok_at.timestamp())
        yield ok


def process_registry() -> CollectorRegistry:
    """This process's metrics, or every hub process's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition(factory: sessionmaker[Session], default: Expectation) -> bytes:
    """The whole ``/metrics`` body (Prometheus text format 0.0.4)."""
    figures = CollectorRegistry(auto_describe=False)
    figures.register(HubFigures(factory, default))
    return generate_latest(process_registry()) + generate_latest(figures)
