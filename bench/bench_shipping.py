"""Shipping quote benchmark: in-process latency and HTTP throughput (prints, never asserts).

    python bench/bench_shipping.py [--seconds 5] [--workers 2] [--clients 1] [--connections 16]

1. a 20-line order (40 units) from Kota Bandung to a district of Surabaya,
   quoted in process the way a request does it (a fresh read-only session per
   quote → ``quote_shipment``: warehouses, regions and rate cards from
   ``hub.shipping.cache``), and the pure ``quote``: p50/p99 wall time, and p99
   of CPU time (the machine is shared: wall p99 includes waiting for a core).
   Target p99 < 2 ms.
2. the same quote through ``POST /api/v1/shipping/quote`` of the **real app**
   (``hub.app.create_app``: auth guard with a reseller's Bearer token looked up
   in the database, validation, JSON) served by ``uvicorn --workers N`` with
   uvloop + httptools on 127.0.0.1, driven by a light asyncio client (raw
   HTTP/1.1 keep-alive, ``--connections`` per client process). Target ≥ 2,000
   quotes/s. Server and client share this machine's cores: the line says so.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import tree_cpu_seconds  # noqa: E402

from hub.core.db import make_engine, read_only_session_factory, session_factory, transaction  # noqa: E402
from hub.core.migrate import upgrade  # noqa: E402
from hub.shipping.cache import CACHE  # noqa: E402
from hub.shipping.quotes import quote  # noqa: E402
from hub.shipping.ratecards import import_file  # noqa: E402
from hub.shipping.regionimport import import_regions  # noqa: E402
from hub.shipping.rules import Item  # noqa: E402
from hub.shipping.service import quote_shipment  # noqa: E402
from tests.hub.shipping.helpers import GOOD  # noqa: E402

DAY = dt.date(2025, 3, 1)
CARDS = (
    GOOD
    + """TIKI,ECO,32.73,35.78.01,8500,1,4,6,2025-01-01,
POS,REG,32,35.78,9500,1,3,6,2025-01-01,
"""
)  # the tests' rate card (same origin and destinations) plus two more services
ITEMS = [
    Item(
        D("0.35") + D(i) / 10,
        D(10 + i),
        D(8 + i % 5),
        D(5 + i % 3),
        1 + i % 3,
        D(150000 + 1000 * i),
    )
    for i in range(20)
]
BODY = {
    "origin": "32.73",
    "destination": "35.78.01",
    "date": str(DAY),
    "items": [
        {
            "weight": str(i.weight),
            "length": str(i.length),
            "width": str(i.width),
            "height": str(i.height),
            "quantity": i.quantity,
            "value": str(i.value),
        }
        for i in ITEMS
    ],
}


def prepare(home: Path) -> str:
    """A hub database with regions, the cards above, reseller r1 and its API token (returned)."""
    from tests.hub.shipping.apikit import seed

    url = f"sqlite:///{home / 'hub.db'}"
    engine = make_engine(url)
    upgrade(engine)
    t = time.perf_counter()
    with engine.begin() as conn:
        import_regions(conn)
    print(f"region import: {time.perf_counter() - t:.2f} s")
    factory = session_factory(engine)
    with transaction(factory) as s:
        import_file(s, data=CARDS.encode(), filename="cards.csv")
    token = seed(factory).headers["r1"]["Authorization"]
    engine.dispose()
    return token


def pct(samples: list[float], p: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(len(samples) * p))] * 1000


def bench_in_process(url: str, n: int = 5000) -> None:
    engine = make_engine(url)
    factory = read_only_session_factory(engine)

    def per_request() -> None:
        with factory() as s:
            quote_shipment(s, origin="32.73", destination="35.78.01", items=ITEMS, day=DAY)

    with factory() as s:
        book = CACHE.book(s)
    gc.freeze()  # what a server does after start-up: long-lived objects leave the GC's scans
    for label, fn in (
        ("quote_shipment (fresh read-only session, cached inputs)", per_request),
        ("pure quote(book, …)", lambda: quote(book, "32.73", "35.78.01", ITEMS, day=DAY)),
    ):
        for _ in range(300):
            fn()
        wall, cpu = [], []
        for _ in range(n):
            t, c = time.perf_counter(), time.thread_time()
            fn()
            cpu.append(time.thread_time() - c)
            wall.append(time.perf_counter() - t)
        print(
            f"{label}: p50 {pct(wall, 0.5):.3f} ms, p99 {pct(wall, 0.99):.3f} ms wall "
            f"(CPU p99 {pct(cpu, 0.99):.3f} ms; target p99 < 2 ms) over {n} quotes of "
            f"{len(ITEMS)} lines / {sum(i.quantity for i in ITEMS)} units"
        )
    engine.dispose()


def app_factory():  # uvicorn --factory target; one app per worker
    from tests.hub.shipping.apikit import make_app

    app = make_app(os.environ["SHIPPING_BENCH_DB"], Path(os.environ["SHIPPING_BENCH_HOME"]))
    if os.environ.get("SHIPPING_BENCH_READ_ONLY") == "1":
        # what-if: request sessions (and so the sign-in token look-up) without SQLite's write lock
        app.state.hub.session_factory = read_only_session_factory(app.state.hub.engine)
    return app


def _request(port: int, token: str) -> bytes:
    body = json.dumps(BODY).encode()
    return (
        f"POST /api/v1/shipping/quote HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


STAGGER = 0.01  # seconds between two connections' opening


async def _connection(
    port: int, req: bytes, end: float, out: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < end:
            t = time.perf_counter()
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            out.append(time.perf_counter() - t)
            if head[9:12] != b"200":
                errors.append(int(head[9:12]))
    finally:
        writer.close()


def client(port: int, token: str, seconds: float, connections: int, q: mp.Queue) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    latencies: list[float] = []
    errors: list[int] = []
    end = time.monotonic() + seconds
    req = _request(port, token)

    async def opened_after(delay: float) -> None:
        await asyncio.sleep(delay)
        await _connection(port, req, end, latencies, errors)

    async def run() -> None:
        # connections open a few ms apart, as clients arrive: opened all at once, they queue before
        # idle workers and the first to wake accepts every one of them (libuv accepts until the
        # queue is empty), leaving the other workers idle for the whole run
        await asyncio.gather(*(opened_after(i * STAGGER) for i in range(connections)))

    asyncio.run(run())
    q.put((latencies, errors))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(
    home: Path,
    token: str,
    seconds: float,
    workers: int,
    clients: int,
    connections: int,
    read_only: bool = False,
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SHIPPING_BENCH_DB": f"sqlite:///{home / 'hub.db'}",
        "SHIPPING_BENCH_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "SHIPPING_BENCH_READ_ONLY": "1" if read_only else "0",
    }
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench_shipping:app_factory",
        "--app-dir",
        str(ROOT / "bench"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(argv, env=env)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        warm: mp.Queue = mp.Queue()
        client(port, token, 2.0, 2 * workers, warm)  # every worker imports, migrates-checks, warms
        warm.get()
        q: mp.Queue = mp.Queue()
        procs = [
            mp.Process(target=client, args=(port, token, seconds, connections, q))
            for _ in range(clients)
        ]
        t, cpu = time.perf_counter(), tree_cpu_seconds(server.pid)
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        cpu = tree_cpu_seconds(server.pid) - cpu
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - t
        lat = [x for r in results for x in r[0]]
        errors = [x for r in results for x in r[1]]
        print(
            f"HTTP: {len(lat) / elapsed:,.0f} quotes/s ({len(lat)} in {elapsed:.1f} s; latency "
            f"p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms; {len(errors)} non-200) — "
            f"target ≥ 2,000/s; {workers} uvicorn worker(s), {clients} client process(es) × "
            f"{connections} connections, all on {os.cpu_count()} CPUs"
            + (", request sessions read-only (what-if)" if read_only else "")
        )
        per = cpu / max(len(lat), 1)
        print(
            f"HTTP server CPU: {per * 1000:.2f} ms per quote → {1 / per:,.0f} quotes/s per "
            f"fully available core (server CPU {cpu:.1f} s of {elapsed:.1f} s wall)"
        )
    finally:
        server.terminate()
        server.wait(20)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--clients", type=int, default=1, help="load-generating processes")
    ap.add_argument("--connections", type=int, default=16, help="keep-alive connections per client")
    ap.add_argument("--skip-http", action="store_true")
    ap.add_argument(
        "--read-only-sessions",
        action="store_true",
        help="what-if: serve with read-only request sessions (no SQLite write lock at sign-in)",
    )
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        token = prepare(home)
        bench_in_process(f"sqlite:///{home / 'hub.db'}")
        if not args.skip_http:
            bench_http(
                home,
                token,
                args.seconds,
                args.workers,
                args.clients,
                args.connections,
                args.read_only_sessions,
            )


if __name__ == "__main__":
    main()
