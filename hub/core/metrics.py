"""The hub's own Prometheus metrics: what each process measures while it works.

Defined once here (infrastructure, below every capability) so the ingest worker, the
job scheduler and the web app can each observe theirs; ``/metrics``
(:mod:`hub.monitoring.routes`) serves them with the per-reseller figures read from the
database at scrape time. Several processes on one machine (web, ingest workers, jobs)
share their figures through prometheus-client's multiprocess mode: set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory writable by every hub process
(deploy/README.md, "Monitoring").
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import Counter, Histogram

# Buckets around what a user notices: a page in < 0.25 s feels instant, > 1 s is slow.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
WORK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)

HTTP_SECONDS = Histogram(
    "synchub_http_request_duration_seconds",
    "Time from a request's arrival to its last response byte, by route template.",
    ["method", "route", "status"],
    buckets=HTTP_BUCKETS,
)
MERGE_SECONDS = Histogram(
    "synchub_merge_duration_seconds",
    "One snapshot's transaction in the ingest worker (checks, decryption, merge, commit), by outcome.",
    ["outcome"],
    buckets=WORK_BUCKETS,
)
JOB_SECONDS = Histogram(
    "synchub_job_duration_seconds",
    "One run of a periodic job on the leader, by job and result (ok / failed).",
    ["job", "result"],
    buckets=WORK_BUCKETS,
)
JOB_FAILURES = Counter(
    "synchub_job_failures", "Runs of a periodic job that raised an error.", ["job"]
)

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


class HttpLatency:
    """ASGI middleware: observes :data:`HTTP_SECONDS` for every HTTP request.

    Labels by the matched route's template (``/api/v1/orders/{order_id}``), never the raw
    path, so the number of series stays bounded; unmatched paths count as ``<unmatched>``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            HTTP_SECONDS.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - start
            )
