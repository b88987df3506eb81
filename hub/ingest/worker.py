"""Ingest workers: claim a snapshot, process it, commit, then move its file and acknowledge.

Claiming (documented choice): **claim and apply in one transaction that holds
the row lock.** ``SELECT … FOR UPDATE SKIP LOCKED`` takes the next pending row
that no other worker holds; the merge runs in that same transaction; the
commit publishes the merged rows, the snapshot's new status and the reseller's
sync state at once. If the worker is killed mid-merge, PostgreSQL drops its
connection, rolls everything back and releases the lock: the row is simply
``received`` again and the next worker (or the restarted one) applies it — once.
No lease to expire, no clean-up job. The price is one open transaction per
snapshot being merged, which is what "one transaction per snapshot" asks anyway.

A reseller's snapshots are applied in sequence order even with many workers:
:func:`hub.ingest.sequence.lock_sync` locks the reseller's ``reseller_sync``
row before deciding. On SQLite (one process) ``BEGIN IMMEDIATE`` serialises
everything and the locking clauses are no-ops.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import read_only_session_factory
from hub.core.keys import HubKeys
from hub.core.metrics import MERGE_SECONDS
from hub.core.settings import HubSettings
from hub.ingest import requests
from hub.ingest.acks import write_ack
from hub.ingest.leader import leadership
from hub.ingest.models import ResellerSync, Snapshot, Status
from hub.ingest.pipeline import Context, Outcome, prepare, process
from hub.ingest.scanner import ScanReport, scan
from hub.ingest.store import Store

log = logging.getLogger(__name__)
SCAN_LOCK = "synchub-ingest-scan"


@dataclass
class IngestReport:
    scan: ScanReport = field(default_factory=ScanReport)
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # transient failures, retried next round

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.status for o in self.outcomes))

    def summary(self) -> str:
        parts = [f"{n} {s}" for s, n in sorted(self.counts().items())] or ["nothing to do"]
        extra = f"; {len(self.errors)} transient error(s)" if self.errors else ""
        return f"registered {len(self.scan.registered)}; " + ", ".join(parts) + extra


def worker_id(n: int = 0) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{n}"


def claim_next(
    session: Session,
    *,
    exclude: set[int],
    snapshot_id: int | None = None,
    reseller_id: str | None = None,
) -> Snapshot | None:
    """Lock the next snapshot ready to be decided (lowest sequence first), skipping rows others hold.

    Ready = ``received``, or ``held`` whose predecessor is now applied.
    """
    last = func.coalesce(ResellerSync.last_applied_sequence, 0)
    stmt = (
        select(Snapshot)
        .outerjoin(ResellerSync, ResellerSync.reseller_id == Snapshot.reseller_id)
        .where(
            or_(
                Snapshot.status == Status.RECEIVED.value,
                and_(Snapshot.status == Status.HELD.value, Snapshot.sequence <= last + 1),
            )
        )
        .order_by(Snapshot.sequence, Snapshot.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Snapshot)
        .execution_options(populate_existing=True)
    )
    if exclude:
        stmt = stmt.where(Snapshot.id.not_in(exclude))
    if snapshot_id is not None:
        stmt = stmt.where(Snapshot.id == snapshot_id)
    if reseller_id is not None:
        stmt = stmt.where(Snapshot.reseller_id == reseller_id)
    return session.scalars(stmt).first()


def process_next(
    factory: sessionmaker[Session],
    ctx: Context,
    *,
    exclude: set[int],
    snapshot_id: int | None = None,
    reseller_id: str | None = None,
) -> Outcome | None:
    """One snapshot, one transaction; after the commit, move its file(s) and write the ack(s)."""
    start = time.perf_counter()
    engine = factory.kw["bind"]
    if snapshot_id is None and engine.dialect.name == "sqlite":
        # SQLite: one writer at a time. Check and unpack the next file before the write lock.
        with read_only_session_factory(engine)() as peek:
            row = claim_next(peek, exclude=exclude, reseller_id=reseller_id)
            ctx.prepared = prepare(peek, row, ctx) if row is not None else None
        try:
            if ctx.prepared is not None:
                done = _process_next(
                    factory, ctx, exclude, ctx.prepared.snapshot_id, reseller_id, start
                )
                if done is not None:
                    return done
            return _process_next(factory, ctx, exclude, None, reseller_id, start)
        finally:
            if ctx.prepared is not None:
                shutil.rmtree(ctx.prepared.staging, ignore_errors=True)
                ctx.prepared = None
    return _process_next(factory, ctx, exclude, snapshot_id, reseller_id, start)


def _process_next(
    factory: sessionmaker[Session],
    ctx: Context,
    exclude: set[int],
    snapshot_id: int | None,
    reseller_id: str | None,
    start: float,
) -> Outcome | None:
    with factory() as session:
        with session.begin():
            row = claim_next(
                session, exclude=exclude, snapshot_id=snapshot_id, reseller_id=reseller_id
            )
            if row is None:
                return None
            claimed = row.id
            try:
                outcome = process(session, row, ctx)
            except Exception:  # keep the service alive; the cause is logged
                exclude.add(claimed)
                raise
        MERGE_SECONDS.labels(outcome.status).observe(time.perf_counter() - start)
        after_commit(session, ctx, [outcome.snapshot_id, *outcome.also])
    return outcome


def after_commit(session: Session, ctx: Context, ids: list[int]) -> None:
    """Put each snapshot's file where its committed status says, acknowledge it, write requests."""
    resellers: set[str] = set()
    for sid in ids:
        row = session.get(Snapshot, sid, populate_existing=True)
        if row is None:
            continue
        try:
            ctx.store.settle(row)
        except OSError as e:  # the scanner will finish the move
            log.error("could not move the file of snapshot #%s: %s", sid, e)
        write_ack(session, ctx.store, ctx.keys.signing_key, row)
        resellers.add(row.reseller_id)
    for reseller_id in sorted(resellers):  # what the merges asked for, answered requests removed
        requests.write_messages(session, ctx.store, ctx.keys.signing_key, reseller_id)
    session.rollback()  # end the read transaction the look-ups opened


def run_once(
    settings: HubSettings,
    session_factory: sessionmaker[Session],
    keys: HubKeys,
    *,
    worker: str | None = None,
) -> IngestReport:
    """Scan the inboxes (if no other process is scanning), then process until nothing is ready."""
    store = Store.from_settings(settings)
    store.sweep_staging()  # a worker killed mid-merge left its decrypted snapshot behind
    ctx = Context(store=store, keys=keys, worker=worker or worker_id())
    report = IngestReport()
    engine = session_factory.kw["bind"]
    with leadership(engine, SCAN_LOCK) as leader:
        if leader:
            report.scan = scan(store, session_factory)
    if report.scan.repeated:
        with session_factory() as session:
            after_commit(session, ctx, report.scan.repeated)
    exclude: set[int] = set()
    while True:
        excluded = len(exclude)
        try:
            outcome = process_next(session_factory, ctx, exclude=exclude)
        except Exception as e:  # transient: logged, retried next round
            log.exception("ingest of a snapshot failed; it stays pending")
            report.errors.append(f"{type(e).__name__}: {e}")
            if len(exclude) == excluded:
                break  # failed before claiming anything (database down?): stop this round
            continue
        if outcome is None:
            break
        report.outcomes.append(outcome)
    return report


def run_forever(
    settings: HubSettings,
    session_factory: sessionmaker[Session],
    keys: HubKeys,
    *,
    stop_event: threading.Event,
    interval: float | None = None,
    worker: str | None = None,
) -> None:
    """``run_once`` every ``interval`` seconds (default: settings) until ``stop_event`` is set."""
    wait = settings.ingest_interval_seconds if interval is None else interval
    while not stop_event.is_set():
        try:
            report = run_once(settings, session_factory, keys, worker=worker)
            if report.outcomes or report.errors:
                log.info("ingest: %s", report.summary())
        except Exception:
            log.exception("ingest round failed")
        stop_event.wait(wait)
