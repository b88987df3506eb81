"""Shipping quote benchmark: in-process latency and HTTP throughput (prints, never asserts).

    python bench/bench_shipping.py [--seconds 5] [--clients 4]

1. a 20-line order from Kota Bandung to a district of Surabaya, quoted in
   process (``quote_shipment`` on SQLite, and the pure ``quote``): p50/p99.
   Target p99 < 2 ms.
2. the same quote through ``POST /api/v1/shipping/quote`` served by uvicorn on
   127.0.0.1 (one server process), driven by N client processes with
   keep-alive connections. Target ≥ 2,000 quotes/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from hub.core.db import make_engine, session_factory, transaction  # noqa: E402
from hub.core.migrate import upgrade  # noqa: E402
from hub.shipping.quotes import cached_book, quote  # noqa: E402
from hub.shipping.ratecards import import_file  # noqa: E402
from hub.shipping.regionimport import import_regions  # noqa: E402
from hub.shipping.rules import Item  # noqa: E402
from hub.shipping.service import quote_shipment  # noqa: E402

DAY = dt.date(2025, 3, 1)
CARDS = """courier,service,origin,destination,price_per_kg,min_weight,etd_min,etd_max,effective_from,effective_to
JNE,REG,32.73,35.78,11000,1,2,3,2025-01-01,
JNE,REG,32.73,35.78.01,12500,1,2,3,2025-01-01,
JNE,OKE,32,35.78,9000,1,3,5,2025-01-01,
JNE,YES,32.73,35.78,21000,1,1,1,2025-01-01,
JNE,JTR,32.73,35.78,4500,10,4,6,2025-01-01,
TIKI,REG,32.73,35.78,10500,1,2,4,2025-01-01,
TIKI,ECO,32.73,35.78.01,8500,1,4,6,2025-01-01,
POS,REG,32,35.78,9500,1,3,6,2025-01-01,
"""
ITEMS = [Item(D("0.35") + D(i) / 10, D(10 + i), D(8 + i % 5), D(5 + i % 3), 1 + i % 3,
              D(150000 + 1000 * i)) for i in range(20)]
BODY = {"origin": "32.73", "destination": "35.78.01", "date": str(DAY),
        "items": [{"weight": str(i.weight), "length": str(i.length), "width": str(i.width),
                   "height": str(i.height), "quantity": i.quantity, "value": str(i.value)}
                  for i in ITEMS]}


def prepare(db_path: Path) -> str:
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    upgrade(engine)
    t = time.perf_counter()
    with engine.begin() as conn:
        import_regions(conn)
    print(f"region import: {time.perf_counter() - t:.2f} s")
    with transaction(session_factory(engine)) as s:
        import_file(s, data=CARDS.encode(), filename="cards.csv")
    engine.dispose()
    return url


def pct(samples: list[float], p: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(len(samples) * p))] * 1000


def bench_in_process(url: str, n: int = 3000) -> None:
    engine = make_engine(url)
    factory = session_factory(engine)
    with factory() as s:
        book = cached_book(s)
        for label, fn in (
            ("quote_shipment (db resolve + cached cards)",
             lambda: quote_shipment(s, origin="32.73", destination="35.78.01", items=ITEMS,
                                    day=DAY)),
            ("pure quote(book, …)",
             lambda: quote(book, "32.73", "35.78.01", ITEMS, day=DAY)),
        ):
            for _ in range(200):
                fn()
            samples = []
            for _ in range(n):
                t = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t)
            print(f"{label}: p50 {pct(samples, .5):.3f} ms, p99 {pct(samples, .99):.3f} ms "
                  f"(target p99 < 2 ms) over {n} quotes of {len(ITEMS)} lines")
    engine.dispose()


def serve(url: str, port: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    from hub.shipping.routes import router

    app = FastAPI()
    app.state.session_factory = session_factory(make_engine(url))
    app.include_router(router)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def client(port: int, seconds: float, out: mp.Queue) -> None:
    import httpx

    done, errors = 0, 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r = c.post("/api/v1/shipping/quote", json=BODY)
            done += 1
            errors += r.status_code != 200
    out.put((done, errors))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(url: str, seconds: float, clients: int) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", url, "--port", str(port)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        client(port, 1.0, mp.Queue())  # warm-up
        q: mp.Queue = mp.Queue()
        procs = [mp.Process(target=client, args=(port, seconds, q)) for _ in range(clients)]
        t = time.perf_counter()
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - t
        done = sum(r[0] for r in results)
        errors = sum(r[1] for r in results)
        print(f"HTTP: {done / elapsed:,.0f} quotes/s ({done} in {elapsed:.1f} s, {clients} "
              f"clients, 1 uvicorn process, {errors} errors; target ≥ 2,000/s; "
              f"{os.cpu_count()} CPUs shared by server and clients)")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = prepare(Path(tmp) / "hub.db")
        bench_in_process(url)
        bench_http(url, args.seconds, args.clients)


if __name__ == "__main__":
    main()
