"""What the scheduler reports after each periodic job: a duration, a status row, an alert on failure."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.core.metrics import JOB_FAILURES, JOB_SECONDS
from hub.monitoring.service import job_finished

log = logging.getLogger("hub.monitoring")


def record_run(
    factory: sessionmaker[Session], name: str, seconds: float, error: BaseException | None
) -> None:
    """Observe the run; store it and alert the subscribers of ``job_failed`` (first failure only).

    Never raises: a database that is down when a job ends must not stop the scheduler.
    """
    JOB_SECONDS.labels(name, "ok" if error is None else "failed").observe(seconds)
    if error is not None:
        JOB_FAILURES.labels(name).inc()
    try:
        with transaction(factory) as session:
            job_finished(session, name, seconds, error)
    except Exception:
        log.exception("could not record the run of job %s", name)
