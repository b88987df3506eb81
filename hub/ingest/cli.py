"""``synchub ingest``, ``synchub quarantine list|retry``, ``synchub snapshots list|request-full|requests``."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from typing import Any

import click

from hub.core.keys import HubKeys
from hub.core.output import emit, json_option
from hub.core.runtime import open_hub
from hub.core.settings import HubSettings, load_settings
from hub.ingest.models import Snapshot
from hub.ingest.quarantine import list_quarantined, retry
from hub.ingest.schemas import SnapshotPublic
from hub.ingest.service import list_snapshots
from hub.ingest.store import Store
from hub.ingest.worker import run_forever, run_once, worker_id


def _open(settings: HubSettings) -> tuple[Any, Any, HubKeys]:
    engine, factory = open_hub(settings)
    return engine, factory, HubKeys.load(settings.keys_dir)


def _worker_main(n: int, once: bool, interval: float | None) -> None:
    """One worker process: its own engine and connections (never shared across a fork)."""
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s worker{n} %(levelname)s %(message)s"
    )
    settings = load_settings()
    _engine, factory, keys = _open(settings)
    if once:
        report = run_once(settings, factory, keys, worker=worker_id(n))
        click.echo(f"worker {n}: {report.summary()}")
        for line in report.scan.ignored:
            click.echo(f"  ignored {line}")
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_forever(settings, factory, keys, stop_event=stop, interval=interval, worker=worker_id(n))


@click.command("ingest")
@click.option(
    "--once", is_flag=True, help="One round (scan the inboxes, process what is ready), then exit."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (several need PostgreSQL).",
)
@click.option(
    "--interval", type=float, default=None, help="Seconds between rounds (default: settings)."
)
def ingest(once: bool, workers: int, interval: float | None) -> None:
    """Verify, decrypt and merge the uploaded snapshots, exactly once and in sequence order."""
    settings = load_settings()
    if workers > 1 and settings.db_url.startswith("sqlite"):
        raise click.UsageError(
            "several workers need PostgreSQL (SQLite serialises writers); "
            "set SYNCHUB_DATABASE_URL or use --workers 1"
        )
    if workers == 1:
        _worker_main(0, once, interval)
        return
    _open(settings)  # migrate and create keys once, before the workers race for it
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_worker_main, args=(n, once, interval), name=f"ingest-{n}")
        for n in range(workers)
    ]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()
            p.join()
    failed = [p.name for p in procs if p.exitcode not in (0, -signal.SIGTERM)]
    if failed:
        raise click.ClickException(f"worker(s) failed: {', '.join(failed)} (see the log above)")


def _line(s: Snapshot) -> str:
    when = s.received_at.strftime("%Y-%m-%d %H:%M:%S")
    rows = "" if s.rows is None else f" rows={s.rows}"
    return f"#{s.id:<6} {s.reseller_id:<20} seq={s.sequence:<6} {s.kind:<11} {s.status:<11} {when}{rows}"


@click.group("quarantine")
def quarantine() -> None:
    """Snapshots that were refused, with the reason; retry one after fixing the cause."""


@quarantine.command("list")
@click.option("--reseller", default=None, help="Only this reseller's.")
@json_option
def quarantine_list(reseller: str | None, as_json: bool) -> None:
    """Quarantined snapshots with the reason each was refused."""
    _engine, factory, _keys = _open(load_settings())
    with factory() as session:
        rows = list_quarantined(session, reseller)

    def text() -> None:
        if not rows:
            click.echo("no quarantined snapshots")
        for s in rows:
            click.echo(_line(s))
            click.echo(f"        reason: {s.reason}")

    emit([SnapshotPublic.model_validate(s) for s in rows], as_json, text)


@quarantine.command("retry")
@click.argument("snapshot_id", type=int)
def quarantine_retry(snapshot_id: int) -> None:
    """Run every check again on SNAPSHOT_ID (e.g. after enabling the reseller or registering its new key)."""
    settings = load_settings()
    _engine, factory, keys = _open(settings)
    outcome = retry(factory, snapshot_id, store=Store.from_settings(settings), keys=keys)
    assert outcome is not None
    click.echo(
        f"snapshot #{snapshot_id}: {outcome.status}"
        + (f" — {outcome.reason}" if outcome.reason else "")
    )


@click.group("snapshots")
def snapshots() -> None:
    """The ingest history: every received snapshot, its status, rows and timings."""


@snapshots.command("list")
@click.option("--reseller", default=None, help="Only this reseller's.")
@click.option(
    "--status",
    default=None,
    help="received, applied, duplicate, held, quarantined, superseded, conflict.",
)
@click.option("--limit", default=50, show_default=True)
@json_option
def snapshots_list(reseller: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """Received snapshots, newest first."""
    _engine, factory, _keys = _open(load_settings())
    with factory() as session:
        rows, total = list_snapshots(session, reseller_id=reseller, status=status, limit=limit)

    def text() -> None:
        for s in rows:
            click.echo(_line(s) + (f"  ({s.reason})" if s.reason else ""))
        click.echo(f"{len(rows)} of {total} snapshot(s)")

    doc = {"data": [SnapshotPublic.model_validate(s) for s in rows], "count": total}
    emit(doc, as_json, text)


@snapshots.command("request-full")
@click.argument("reseller_id")
@click.option("--reason", default="", help="Why (shown to whoever reads the request).")
def snapshots_request_full(reseller_id: str, reason: str) -> None:
    """Ask RESELLER_ID's agent for a full snapshot (a signed request it picks up at its next push)."""
    from hub.ingest.requests import request_full, write_messages
    from hub.resellers.service import get_reseller

    settings = load_settings()
    _engine, factory, keys = _open(settings)
    with factory() as session:
        get_reseller(session, reseller_id)  # ResellerNotFound names the id
        req = request_full(session, reseller_id, reason=reason, by="cli")
        session.commit()
        write_messages(session, Store.from_settings(settings), keys.signing_key, reseller_id)
        click.echo(
            f"request {req.wire_id}: full snapshot asked of {reseller_id} at "
            f"{req.requested_at:%Y-%m-%d %H:%M} UTC; the agent sends it at its next push "
            "(`syncagent push` on the reseller's server to have it now)"
        )


@snapshots.command("requests")
@click.option("--reseller", default=None, help="Only this reseller's.")
def snapshots_requests(reseller: str | None) -> None:
    """Open requests to agents (full snapshots, key lists) and what they are waiting for."""
    from sqlalchemy import select

    from hub.ingest.models import SyncRequest

    _engine, factory, _keys = _open(load_settings())
    with factory() as session:
        stmt = select(SyncRequest).where(SyncRequest.answered_at.is_(None))
        if reseller:
            stmt = stmt.where(SyncRequest.reseller_id == reseller)
        rows = list(session.scalars(stmt.order_by(SyncRequest.id)))
    for r in rows:
        what = r.what + (f" ({', '.join(r.datasets)})" if r.datasets else "")
        click.echo(
            f"{r.wire_id:<6} {r.reseller_id:<20} {what:<24} since {r.requested_at:%Y-%m-%d %H:%M} "
            f"UTC by {r.requested_by}: {r.reason}"
        )
    click.echo(f"{len(rows)} open request(s)")
