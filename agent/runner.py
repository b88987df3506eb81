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
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from agent.config import AgentConfig
from agent.state import AgentState
from shared.errors import RetriableError, SyncHubError

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


def run_once(
    cfg: AgentConfig,
    *,
    full: bool = False,
    deliver: bool = True,
    on_rows: Optional[Callable[[str, int], None]] = None,
    upload_progress: Optional[Callable[[str], Callable[[int, int], None]]] = None,
) -> dict[str, Any]:
    """Export (and deliver) once under the lock; the outcome is recorded in the run history."""
    from agent.deliver import Preconnect
    from agent.export import export
    from agent.push import deliver_pending

    with run_lock(cfg.agent.state_dir), AgentState(cfg.agent.state_dir) as state:
        run_id = state.start_run("push" if deliver else "export")
        early = Preconnect(cfg.hub) if deliver else None  # the SSH handshake overlaps the export
        try:
            result = export(cfg, state, full=full, on_rows=on_rows)
            summary: dict[str, Any] = {
                "snapshot": result.path.name,
                "kind": result.kind,
                "rows": sum(d.rows for d in result.manifest.datasets),
            }
            if early is not None:
                report = deliver_pending(
                    cfg, state, progress=upload_progress, connection=early.connection
                )
                summary.update(
                    delivered=report.delivered,
                    messages=report.messages,
                    orders_sent=report.orders.sent,
                    order_results=report.orders.results,
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
        state.finish_run(run_id, "ok", json.dumps(summary))
        return summary


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
