"""The embedded default (SQLite) never answers ``database is locked`` to a reader.

Issue #17: on a real server, ``GET /data`` then ``GET /api/v1/me`` 0.1 s apart hung ~30 s
and ended in HTTP 500: every session began with ``BEGIN IMMEDIATE`` (reads took the
write lock) and the session-cookie look-up waited for it on the event loop, so the
request holding the lock could not even finish. These tests talk to a real uvicorn.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from hub.core.db import transaction
from hub.core.roles import Role
from hub.core.security import SESSION_COOKIE
from hub.users.sessions import start_session
from tests.hub.web.live import serving
from tests.hub.web.webkit import Seeded, seed

# Not a timing assertion: a bound so a regression fails instead of hanging the suite
# (SQLite's busy timeout is 30 s; a lock-bound request waits that long, then fails).
PATIENCE = 15.0


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> tuple[Seeded, str, dict[str, str]]:
    hub = seed(Path(tmp_path_factory.mktemp("locking")))
    with transaction(hub.app.state.hub.session_factory) as s:
        sid, _ = start_session(s, hub.users[hub.username(Role.OWNER)], 3600)
    with serving(hub.app) as url:
        yield hub, url, {SESSION_COOKIE: sid}


def _get(url: str, cookies: dict[str, str], path: str) -> int:
    with httpx.Client(base_url=url, cookies=cookies, timeout=PATIENCE, follow_redirects=True) as c:
        return c.get(path).status_code


def test_data_page_then_me_a_tenth_of_a_second_apart(
    live: tuple[Seeded, str, dict[str, str]],
) -> None:
    """The issue's two requests, as a person clicking and a script polling would send them."""
    _hub, url, cookies = live
    with ThreadPoolExecutor(2) as pool:
        for _ in range(5):
            first = pool.submit(_get, url, cookies, "/data")
            time.sleep(0.1)
            second = pool.submit(_get, url, cookies, "/api/v1/me")
            assert (first.result(), second.result()) == (200, 200)


def test_reads_answer_while_a_writer_holds_the_lock(
    live: tuple[Seeded, str, dict[str, str]],
) -> None:
    """An ingest merge holds SQLite's write lock for its whole transaction: pages still load."""
    hub, url, cookies = live
    db = hub.app.state.hub.settings.home / "hub.db"
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a merging worker holds it
    released = threading.Event()

    def release_later() -> None:
        released.wait(PATIENCE + 5)
        holder.rollback()

    t = threading.Thread(target=release_later)
    t.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            paths = ["/data", "/api/v1/me", "/", "/api/v1/me"]
            codes = list(pool.map(lambda p: _get(url, cookies, p), paths))
        assert codes == [200, 200, 200, 200]
    finally:
        released.set()
        t.join()
        holder.close()
