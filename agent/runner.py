"""One run at a time (a lock file), recorded in the state; and the nightly daemon.

The daemon is APScheduler's BlockingScheduler with the config's cron and
jitter; ``max_instances=1`` and ``coalesce`` mean a slow run is never doubled
and runs missed while the machine was off collapse into one. Nothing needs to
be remembered across restarts beyond the state database: the outbox and the
cursors are already on disk, so a restarted daemon simply continues.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from agent.config import AgentConfig
from agent.state import AgentState
from shared.errors import FatalError, RetriableError, SyncHubError

log = logging.getLogger("syncagent.run")


class AlreadyRunning(RetriableError):
    """Another syncagent run holds the lock."""


@contextmanager
def run_lock(state_dir: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock on ``state_dir/run.lock`` (released if the process dies)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "run.lock", "a+") as fh:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise AlreadyRunning(
                f"another syncagent run is in progress (lock {state_dir / 'run.lock'})",
                hint="wait for it to finish",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield


class HubRefused(FatalError):
    """The hub quarantined a snapshot this agent sent: its data was not applied."""


def run_once(
    cfg: AgentConfig,
    *,
    full: bool = False,
    deliver: bool = True,
    on_rows: Optional[Callable[[str, int], None]] = None,
    upload_progress: Optional[Callable[[str], Callable[[int, int], None]]] = None,
) -> dict[str, Any]:
    """Export (and deliver) once under the lock; the outcome is recorded in the run history.

    Never silent about the hub's word: a state folder with no snapshot yet first
    asks the hub how far it has applied this reseller (re-basing after it); after
    the delivery, a ``conflict`` ack or a request from the hub is answered in the
    same run by one more export (full, or with the key lists asked for); a
    quarantined snapshot ends the run with an error saying why. The summary says how
    long the run took and where (``seconds``: export, delivery, total), for the operator
    (``syncagent status``) and the logs.
    """
    from agent.deliver import Preconnect

    started = time.monotonic()
    with run_lock(cfg.agent.state_dir), AgentState(cfg.agent.state_dir) as state:
        run_id = state.start_run("push" if deliver else "export")
        early = Preconnect(cfg.hub) if deliver else None  # the SSH handshake overlaps the export
        summary: dict[str, Any] = {}
        try:
            if early is not None and state.is_fresh():
                _probe_hub(cfg, state, early, summary)
            _export_deliver(cfg, state, deliver, early, full, on_rows, upload_progress, summary)
            report = summary.pop("_report", None)
            if report is not None and (report.mail.conflict or report.mail.requests):
                first = summary["snapshot"]
                _export_deliver(cfg, state, True, None, False, on_rows, upload_progress, summary)
                summary["followed_up"] = [first, summary["snapshot"]]
                report = summary.pop("_report", report)
            if report is not None and report.mail.quarantined:
                bad = report.mail.quarantined[0]
                raise HubRefused(
                    f"the hub quarantined snapshot {bad.sequence}: {bad.reason}",
                    hint="its data was not applied; fix the cause (ask the hub operator), then "
                    "`syncagent push --full`",
                )
        except SyncHubError as exc:
            state.finish_run(run_id, "failed", str(exc))
            raise
        except BaseException as exc:
            state.finish_run(run_id, "failed", repr(exc))
            raise
        finally:
            if early is not None:
                early.close()  # not taken when the export failed
        _took(summary, "total", started)
        state.finish_run(run_id, "ok", json.dumps(summary))
        return summary


def _probe_hub(cfg: AgentConfig, state: AgentState, early: Any, summary: dict[str, Any]) -> None:
    """A new (or wiped) state folder: how far has the hub applied this reseller? Re-base after it."""
    from agent.hubmail import fetch, rebase

    try:
        with early.lend() as conn:
            mail = fetch(conn, conn.list_messages(), cfg, state)
    except SyncHubError as exc:  # the hub's conflict answer catches it later; say so now
        log.warning("could not ask the hub how far it has applied (%s); continuing at 1", exc)
        return
    summary["messages"] = mail.messages
    if mail.hub_last_applied:
        at = rebase(state, mail.hub_last_applied)
        summary["rebased"] = (
            f"this state folder is new, but the hub has applied snapshots up to "
            f"{mail.hub_last_applied} from {cfg.agent.reseller_id}: continuing at {at} with a "
            "full snapshot (nothing is lost; the hub keeps its history)"
        )
        log.warning(summary["rebased"])


def _export_deliver(
    cfg: AgentConfig,
    state: AgentState,
    deliver: bool,
    early: Any,
    full: bool,
    on_rows: Optional[Callable[[str, int], None]],
    upload_progress: Optional[Callable[[str], Callable[[int, int], None]]],
    summary: dict[str, Any],
) -> None:
    from agent.export import export
    from agent.push import deliver_pending

    started = time.monotonic()
    result = export(cfg, state, full=full, on_rows=on_rows)
    _took(summary, "export", started)
    summary.update(
        snapshot=result.path.name,
        kind=result.kind,
        rows=sum(d.rows for d in result.manifest.datasets),
    )
    if result.manifest.answers:
        summary["answered"] = list(result.manifest.answers)
    if result.notes:
        summary["notes"] = summary.get("notes", []) + result.notes
    if not deliver:
        return
    started = time.monotonic()
    report = deliver_pending(
        cfg,
        state,
        progress=upload_progress,
        connection=early.connection if early is not None else None,
    )
    _took(summary, "delivery", started)
    summary["delivered"] = summary.get("delivered", []) + report.delivered
    summary.update(
        messages=summary.get("messages", []) + report.messages,
        orders_sent=report.orders.sent,
        order_results=report.orders.results,
        _report=report,
    )
    if report.mail.conflict is not None:
        c = report.mail.conflict
        summary["healed"] = (
            f"the hub had applied another file as sequence {c.sequence} (this agent's state was "
            f"lost or copied): re-based after {c.last_applied_sequence} with a full snapshot"
        )
        log.warning(summary["healed"])
    if report.mail.requests:
        summary["hub_requests"] = [
            f"{r.id}: {r.what}" + (f" ({', '.join(r.datasets)})" if r.datasets else "")
            for r in report.mail.requests
        ]


def _took(summary: dict[str, Any], step: str, since: float) -> None:
    """Add the seconds since ``since`` to the summary's ``step`` (a follow-up export adds to it)."""
    seconds = summary.setdefault("seconds", {})
    seconds[step] = round(seconds.get(step, 0.0) + time.monotonic() - since, 3)


def scheduled_run(cfg: AgentConfig) -> None:
    """The daemon's job: never lets an error kill the scheduler (it is logged and recorded)."""
    try:
        log.info(json.dumps({"event": "run", **run_once(cfg)}))
    except SyncHubError as exc:
        log.error(
            json.dumps({"event": "run_failed", "error": str(exc), "retriable": exc.retriable})
        )
    except Exception:
        log.exception("run failed unexpectedly")


def make_scheduler(cfg: AgentConfig, blocking: bool = True) -> Any:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    tz = cfg.schedule.timezone
    sched = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=tz)
    trigger = CronTrigger.from_crontab(cfg.schedule.cron, timezone=tz)
    trigger.jitter = cfg.schedule.jitter_seconds or None
    sched.add_job(
        scheduled_run,
        trigger,
        args=[cfg],
        id="syncagent",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=6 * 3600,
        replace_existing=True,
    )
    return sched


def next_run(cfg: AgentConfig) -> Optional[str]:
    """When the schedule fires next (without jitter), for ``syncagent status``."""
    import datetime as dt

    from apscheduler.triggers.cron import CronTrigger

    tz = cfg.schedule.timezone
    trig = CronTrigger.from_crontab(cfg.schedule.cron, timezone=tz)
    now = dt.datetime.now(dt.timezone.utc)
    fire = trig.get_next_fire_time(None, now)
    return fire.isoformat() if fire else None
