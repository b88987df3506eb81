"""What one order placement costs, counted rather than timed (prints, never asserts).

    python bench/orders_cost.py [--orders 200]

This VM's speed drifts by up to 2x within minutes, so throughput alone cannot tell
whether a change to the order path made it cheaper. This counts, for ``POST
/api/v1/orders`` through the real app (``hub.app:create_app``, in process, same seed
and requests as ``bench_orders.py``, real PostgreSQL): the SQL round trips per
order (statements as sent, BEGIN and COMMIT included) and the Python function
calls per order in the app's event loop and worker threads, by package. Both are
the same on every run on any machine.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_orders import request_bytes, seed  # noqa: E402

from tests.servers import PostgresServer  # noqa: E402


def package_of(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    return "synchub" if filename.startswith(str(ROOT)) else "stdlib"


class Counter:
    """Python calls (by package) and SQL round trips while ``on``."""

    def __init__(self) -> None:
        self.on = False
        self.calls: collections.Counter[str] = collections.Counter()
        self.statements: collections.Counter[str] = collections.Counter()
        self.texts: list[str] = []

    def profile(self, frame: Any, event: str, _arg: Any) -> None:
        if self.on and event in ("call", "c_call"):
            self.calls[package_of(frame.f_code.co_filename)] += 1

    def watch(self, engine: Any) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "begin")
        def _begin(_conn: Any) -> None:
            if self.on:
                self.statements["BEGIN"] += 1

        @event.listens_for(engine, "commit")
        def _commit(_conn: Any) -> None:
            if self.on:
                self.statements["COMMIT"] += 1

        @event.listens_for(engine, "before_cursor_execute")
        def _sql(
            _conn: Any, _cur: Any, statement: str, _params: Any, _ctx: Any, many: bool
        ) -> None:
            if self.on:
                self.statements[
                    statement.split(None, 1)[0].upper() + (" (executemany)" if many else "")
                ] += 1
                self.texts.append(" ".join(statement.split()))


async def place(app: Any, raw: bytes) -> None:
    """One raw HTTP/1.1 request through the ASGI app, as uvicorn would pass it."""
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    headers = [
        (k.strip().lower(), v.strip()) for k, v in (line.split(b":", 1) for line in lines[1:])
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/orders",
        "raw_path": b"/api/v1/orders",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    if sent[0]["status"] != 201:
        raise SystemExit(f"order refused: {sent}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=200, help="orders counted (after 50 to warm up)")
    ap.add_argument(
        "--show", action="store_true", help="also print the statements of the last order"
    )
    args = ap.parse_args()
    pg = PostgresServer().start()
    try:
        dsn = pg.create_database().replace("postgresql://", "postgresql+psycopg://", 1)
        home = Path(tempfile.mkdtemp(prefix="bench-orders-cost-"))
        tokens, skus = seed(dsn, home)
        os.environ.update(
            {
                "SYNCHUB_DATABASE_URL": dsn,
                "SYNCHUB_HOME": str(home),
                "SYNCHUB_ENVIRONMENT": "test",
                "SYNCHUB_SECRET_KEY": "bench-" + "x" * 32,
            }
        )
        from hub.app import create_app

        app, counter, rng, toks = create_app(), Counter(), random.Random(1), list(tokens.values())
        sys.setprofile(counter.profile)
        threading.setprofile(
            counter.profile
        )  # the worker threads are started by the first requests

        async def run() -> None:
            async with app.router.lifespan_context(app):
                counter.watch(app.state.hub.engine)
                for i in range(50):
                    await place(app, request_bytes(80, toks[i % len(toks)], skus, rng))
                counter.on = True
                for i in range(args.orders):
                    await place(app, request_bytes(80, toks[i % len(toks)], skus, rng))
                counter.on = False

        asyncio.run(run())
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        n = args.orders
        print(f"per order ({n} orders, 2 lines each, PostgreSQL):")
        print(
            f"  SQL round trips: {sum(counter.statements.values()) / n:.1f} — "
            + ", ".join(f"{k} {v / n:g}" for k, v in counter.statements.most_common())
        )
        print(
            f"  Python calls: {sum(counter.calls.values()) / n:.0f} — "
            + ", ".join(f"{k} {v / n:.0f}" for k, v in counter.calls.most_common(8))
        )
        if args.show:
            per_order = len(counter.texts) // n
            for statement in counter.texts[-per_order:]:
                print("   ", statement[:160])
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
