"""Issue #17 acceptance 3: the embedded default under load — 0 server errors, p99 < 1 s.

The hub runs as a user runs it: `synchub serve` (SQLite, built-in SFTP server, ingest
loop, jobs, uvicorn) in its own process. A real agent pushes a changing shop database
through the built-in SFTP server the whole time (each push is merged while the clients
work), and 20 clients, each signed in through the login form, browse pages and the API
and write (alert subscriptions made and removed) for SYNCHUB_SOAK_SECONDS (120 by default,
the issue's two minutes); THINK_SECONDS and PUSH_EVERY_SECONDS below set the pace. Every request counts: a status >= 500 or a failed connection is
a server error. The latency is what a user feels, measured at the client, so the test
prints p50/p99/max and asserts the issue's p99 < 1 s.
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.core.keys import HubKeys
from tests.integration.spine_kit import make_agent
from tests.servers import free_port, stop_pid, wait_until

pytestmark = pytest.mark.slow

CLIENTS = 20
SECONDS = float(os.environ.get("SYNCHUB_SOAK_SECONDS", "120"))
PASSWORD = "soak test password 1"
RID = "toko-soak"
PRODUCTS = 3000  # rows in the shop; every push changes some
# A person clicks every few seconds; these clients act four times a second each (up to 80
# requests/s for 20), and the agent pushes every few seconds (incremental, a full snapshot every
# tenth time, as agents re-base now and then): the peak of a few hundred resellers syncing in
# the same night window, all on one embedded hub.
THINK_SECONDS = 0.25
PUSH_EVERY_SECONDS = 4.0
PAGES = [
    "/dashboard",
    "/data",
    "/quarantine",
    "/api/v1/me",
    "/api/v1/snapshots?limit=20",
    f"/api/v1/resellers/{RID}/sync",
    "/catalog",
    "/api/v1/alerts/subscriptions",
]


def _shop(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price NUMERIC, stock INTEGER)"
    )
    con.executemany(
        "INSERT INTO products VALUES (?, ?, ?, ?)",
        [(i, f"Produk {i}", f"{1000 + i}.50", i % 40) for i in range(1, PRODUCTS + 1)],
    )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def _synchub(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _sign_in(base: str, username: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303, r.text[:300]
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', c.get("/account").text)
    assert csrf, "the page carries the session's CSRF token"
    c.headers["X-CSRF-Token"] = csrf.group(1)
    return c


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_path: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, path: str, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_path.setdefault(path, []).append(seconds)
            if problem:
                self.errors.append(problem)

    def slowest(self) -> str:
        def p99(xs: list[float]) -> float:
            return sorted(xs)[max(0, int(len(xs) * 0.99) - 1)]

        rows = sorted(self.by_path.items(), key=lambda kv: -p99(kv[1]))
        return ", ".join(f"{p} p99 {p99(xs) * 1000:.0f} ms" for p, xs in rows[:4])


def _timed(c: httpx.Client, tally: Tally, method: str, path: str, body: object = None) -> Any:
    """One request, counted: a status >= 500 or a failed connection is a server error."""
    start = time.perf_counter()
    try:
        r = c.request(method, path, json=body)
    except httpx.HTTPError as exc:
        tally.add(f"{method} {path}", time.perf_counter() - start, f"{method} {path}: {exc!r}")
        return None
    problem = None
    if r.status_code >= 400:
        kind = "server error" if r.status_code >= 500 else "unexpected"
        problem = f"{method} {path}: {kind} {r.status_code} {r.text[:200]}"
    route = re.sub(r"/\d+$", "/{id}", path)
    tally.add(f"{method} {route}", time.perf_counter() - start, problem)
    return r


def _client_loop(c: httpx.Client, n: int, until: float, tally: Tally) -> None:
    i = n
    while time.monotonic() < until:
        i += 1
        if i % 10 == 0:  # a write: subscribe, then remove it
            body = {"channel": "email", "address": f"c{n}@example.test", "kinds": ["quarantine"]}
            r = _timed(c, tally, "POST", "/api/v1/alerts/subscriptions", body)
            if r is not None and r.status_code == 201:
                _timed(c, tally, "DELETE", f"/api/v1/alerts/subscriptions/{r.json()['id']}")
        else:
            _timed(c, tally, "GET", PAGES[i % len(PAGES)])
        time.sleep(THINK_SECONDS)


def _pusher(agent, shop: Path, until: float, pushes: list[str]) -> None:  # type: ignore[no-untyped-def]
    round_ = 0
    while time.monotonic() < until:
        round_ += 1
        con = sqlite3.connect(shop)
        con.execute(
            "UPDATE products SET stock = stock + 1, price = price + 1 WHERE id % 30 = ?",
            (round_ % 30,),
        )
        con.execute(
            "INSERT INTO products VALUES (?, ?, ?, ?)",
            (PRODUCTS + round_, f"Baru {round_}", "5.00", 1),
        )
        con.commit()
        con.close()
        try:
            pushes.append(agent.push(full=round_ % 10 == 0)["kind"])
        except Exception as exc:  # the hub must keep accepting uploads: recorded, asserted below
            pushes.append(f"failed: {type(exc).__name__}: {exc}")
        time.sleep(PUSH_EVERY_SECONDS)


def test_twenty_signed_in_clients_while_an_agent_pushes(tmp_path: Path) -> None:
    home, http_port, sftp_port = tmp_path / "hub", free_port(), free_port()
    env = {
        **os.environ,
        "SYNCHUB_HOME": str(home),
        "SYNCHUB_ENVIRONMENT": "development",
        "SYNCHUB_SECRET_KEY": "soak-" + "s" * 40,
        "SYNCHUB_HTTP_PORT": str(http_port),
        "SYNCHUB_SFTP_PORT": str(sftp_port),
        "SYNCHUB_INGEST_INTERVAL_SECONDS": "1",
    }
    env.pop("SYNCHUB_DATABASE_URL", None)
    _synchub(env, "init")  # as the README says: a hub is made before it is used
    _synchub(env, "user", "add", "ops", "--role", "operations", "--password", PASSWORD)
    _synchub(env, "keys")
    keys = HubKeys.load_or_create(home / "keys")
    shop = tmp_path / "shop.db"
    agent = make_agent(
        tmp_path / "agent",
        RID,
        _shop(shop),
        hub=keys,
        host="127.0.0.1",
        port=sftp_port,
        username=RID,
        host_key=keys.host_key_line,
    )
    _synchub(
        env,
        "reseller",
        "add",
        RID,
        "--name",
        "Toko Soak",
        "--platform",
        "sqlite",
        "--ssh-key",
        agent.handoff.ssh_public_key,
        "--signing-key",
        agent.handoff.signing_public_key,
    )
    log_path = Path(os.environ.get("SYNCHUB_SOAK_LOG", tmp_path / "serve.log"))
    log = log_path.open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until(lambda: _up(base), timeout=60, what="synchub serve answering")
        clients = [_sign_in(base, "ops") for _ in range(CLIENTS)]
        assert agent.push()["kind"] == "full"
        wait_until(  # the first snapshot merged: the reseller's sync page exists from now on
            lambda: clients[0].get(f"/api/v1/resellers/{RID}/sync").status_code == 200,
            timeout=60,
            what="the first snapshot applied",
        )
        until = time.monotonic() + SECONDS
        tally, pushes = Tally(), []
        threads = [
            threading.Thread(target=_client_loop, args=(c, n, until, tally))
            for n, c in enumerate(clients)
        ]
        threads.append(threading.Thread(target=_pusher, args=(agent, shop, until, pushes)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 120)
        applied = (
            clients[0]
            .get(f"/api/v1/snapshots?reseller_id={RID}&status=applied&limit=1")
            .json()["count"]
        )
    finally:
        stop_pid(serve.pid, serve)
        log.close()
    lat = sorted(tally.latencies)
    p50, p99 = statistics.median(lat), lat[int(len(lat) * 0.99) - 1]
    print(
        f"\nsoak {SECONDS:.0f} s, {CLIENTS} clients: {len(lat)} requests ({len(lat) / SECONDS:.0f}/s), "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms; "
        f"{len(pushes)} pushes, {applied} snapshots applied; server errors {len(tally.errors)}; "
        f"slowest: {tally.slowest()}"
    )
    served = log_path.read_text()[-4000:]
    assert not tally.errors, "\n".join(tally.errors[:20]) + "\n--- synchub serve:\n" + served
    assert not [p for p in pushes if p.startswith("failed")], pushes
    assert applied >= 2, f"the ingest applied {applied} snapshots during the soak"
    assert p99 < 1.0, f"p99 {p99:.3f} s (issue #17 acceptance 3: under 1 s)"


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
