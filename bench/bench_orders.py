"""Order placement benchmark on PostgreSQL through the HTTP API (prints, never asserts).

    python bench/bench_orders.py [--rate 200] [--seconds 10] [--workers CORES+1] [--connections 32]

Starts a throw-away PostgreSQL cluster (tests.servers.PostgresServer, fsync off),
migrates and seeds it (50 products with large stock, resellers r1..r8 with
Bearer tokens), serves the **real app** (``hub.app:create_app``: token lookup,
role guard, pricing through ``hub.catalog.pricing``, stock reservation with
row locks, gap-free invoice counter, audit, notification outbox) with
``uvicorn --workers N`` on 127.0.0.1, and drives ``POST /api/v1/orders`` (two
lines, random products, one Idempotency-Key each) from an asyncio raw
HTTP/1.1 client on the same machine:

1. open loop at ``--rate`` orders/s: requests are sent on schedule whatever
   the answers; latency is measured from the scheduled time (no coordinated
   omission). Target p99 < 50 ms at 200/s.
2. saturation: ``--connections`` closed-loop connections for ``--seconds``.
   Target ≥ 400 orders/s.

Server, database and load generator share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import cpu_probe_ms, tree_cpu_seconds  # noqa: E402

from tests.hub.orders.apikit import make_api  # noqa: E402
from tests.servers import PostgresServer, free_port  # noqa: E402

RESELLERS = [f"r{i}" for i in range(1, 9)]


def seed(dsn: str, home: Path) -> tuple[dict[str, str], list[str]]:
    """Migrate and seed; returns Bearer header per reseller and the SKUs."""
    from hub.catalog.models import PriceList, PriceListItem
    from hub.core.db import transaction
    from hub.core.roles import Principal, Role
    from hub.resellers.models import Reseller
    from hub.users.sessions import issue_token
    from tests.hub.orders.helpers import KEY

    skus = [f"SKU-{i:03d}" for i in range(50)]
    api = make_api(dsn, home, {s: 10_000_000 for s in skus})
    tokens = {rid: api.headers[rid]["Authorization"] for rid in ("r1", "r2")}
    admin = Principal(role=Role.OWNER, username="bench")
    with transaction(api.hub.factory) as s:
        for rid in RESELLERS[2:]:
            s.add(Reseller(id=rid, name=rid, ssh_public_key=KEY, signing_public_key="A" * 43 + "="))
            s.flush()
            pl = PriceList(name=f"list {rid}", reseller_id=rid, active=True)
            s.add(pl)
            s.flush()
            for sku in skus:
                s.add(
                    PriceListItem(
                        price_list_id=pl.id,
                        product_id=api.hub.products[sku],
                        min_quantity=1,
                        unit_price=100000,
                    )
                )
    with api.hub.factory() as s:
        for rid in RESELLERS[2:]:
            tokens[rid] = "Bearer " + issue_token(s, admin, rid, "bench")[0]
        s.commit()
    api.app.state.hub.engine.dispose()
    return tokens, skus


def request_bytes(port: int, token: str, skus: list[str], rng: random.Random) -> bytes:
    a, b = rng.sample(skus, 2)
    body = json.dumps(
        {
            "lines": [
                {"sku": a, "quantity": rng.randint(1, 3)},
                {"sku": b, "quantity": rng.randint(1, 3)},
            ]
        }
    ).encode()
    head = (
        f"POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {token}\r\n"
        f"Content-Type: application/json\r\nIdempotency-Key: {rng.getrandbits(64):x}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def roundtrip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, req: bytes) -> int:
    writer.write(req)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return status


async def open_loop(
    port: int, tokens: list[str], skus: list[str], rate: float, seconds: float
) -> tuple[list[float], int, int]:
    rng = random.Random(1)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    lat: list[float] = []
    errors = 0
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        nonlocal errors
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        req = request_bytes(port, tokens[i % len(tokens)], skus, rng)
        conn = idle.pop() if idle else None
        status = 0
        if conn is not None:
            try:
                status = await roundtrip(*conn, req)
            except (asyncio.IncompleteReadError, ConnectionResetError):
                conn[1].close()  # the server closed this idle keep-alive connection: send again
                conn = None
        if conn is None:
            conn = await asyncio.open_connection("127.0.0.1", port)
            status = await roundtrip(*conn, req)
        lat.append(time.perf_counter() - due)
        if status != 201:
            errors += 1
        idle.append(conn)

    n = int(rate * seconds)
    await asyncio.gather(*(one(i) for i in range(n)))
    for _, w in idle:
        w.close()
    return lat, errors, n


async def closed_loop(
    port: int, tokens: list[str], skus: list[str], conns: int, seconds: float
) -> tuple[int, int, float]:
    rng = random.Random(2)
    done = errors = 0
    end = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal done, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < end:
            status = await roundtrip(
                reader, writer, request_bytes(port, tokens[k % len(tokens)], skus, rng)
            )
            done += 1
            errors += status != 201
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(conns)))
    return done, errors, time.perf_counter() - t0


async def sequential(port: int, tokens: list[str], skus: list[str], n: int) -> list[float]:
    rng = random.Random(3)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lat = []
    for i in range(n):
        t0 = time.perf_counter()
        await roundtrip(reader, writer, request_bytes(port, tokens[i % len(tokens)], skus, rng))
        lat.append(time.perf_counter() - t0)
    writer.close()
    return lat


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] * 1000


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) + 1,
        help="uvicorn worker processes (default: cores + 1, as deploy/README.md advises)",
    )
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    pg = PostgresServer().start()
    server = None
    try:
        dsn = pg.create_database().replace("postgresql://", "postgresql+psycopg://", 1)
        home = Path(tempfile.mkdtemp(prefix="bench-orders-"))
        tokens, skus = seed(dsn, home)
        port = free_port()
        env = {
            **os.environ,
            "SYNCHUB_DATABASE_URL": dsn,
            "SYNCHUB_HOME": str(home),
            "SYNCHUB_ENVIRONMENT": "test",
            "SYNCHUB_SECRET_KEY": "bench-" + "x" * 32,
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hub.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        wait_port(port)
        toks = list(tokens.values())
        asyncio.run(
            closed_loop(port, toks, skus, 4, 2.0)
        )  # warm-up: connections, caches, JIT-free paths
        print(
            f"CPU probe (bench/_common.cpu_probe_ms, fixed work; lower = faster machine): {cpu_probe_ms():.0f} ms"
        )
        seq = asyncio.run(sequential(port, toks, skus, 200))
        print(
            f"one connection, sequential: p50 {pct(seq, 50):.1f} ms, p99 {pct(seq, 99):.1f} ms "
            f"(service time without queueing)"
        )
        lat, errors, n = asyncio.run(open_loop(port, toks, skus, args.rate, args.seconds))
        print(
            f"open loop {args.rate:.0f} orders/s for {args.seconds:.0f}s: {n} orders, {errors} errors, "
            f"p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms, max {max(lat) * 1000:.1f} ms "
            f"(target p99 < 50 ms)"
        )
        cpu = (tree_cpu_seconds(server.pid), tree_cpu_seconds(pg.pid), time.process_time())
        done, errors, elapsed = asyncio.run(
            closed_loop(port, toks, skus, args.connections, args.seconds)
        )
        server_ms, pg_ms, client_ms = (
            1000 * (after - before) / max(done, 1)
            for before, after in zip(
                cpu, (tree_cpu_seconds(server.pid), tree_cpu_seconds(pg.pid), time.process_time())
            )
        )
        print(
            f"saturation, {args.connections} connections, {args.workers} workers: {done / elapsed:.0f} orders/s "
            f"({done} in {elapsed:.1f}s, {errors} errors) (target >= 400/s; server, PostgreSQL and "
            f"load generator share {os.cpu_count()} cores)"
        )
        print(
            f"CPU per order at saturation: server {server_ms:.2f} ms, PostgreSQL {pg_ms:.2f} ms, "
            f"load generator {client_ms:.2f} ms; load average {os.getloadavg()[0]:.2f}"
        )
        print(f"CPU probe after the runs: {cpu_probe_ms():.0f} ms")
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        pg.stop()


if __name__ == "__main__":
    main()
