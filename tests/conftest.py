"""Session-wide fixtures: real servers on 127.0.0.1 (see tests/servers.py).

A missing server binary skips the tests that need it on a developer machine,
and fails them under CI=true, because CI must really run them.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any, Callable, NoReturn, TypeVar

import pytest
from hypothesis import settings

from tests import servers

# Property tests check what holds, never how fast: a shared CI machine may take longer than
# hypothesis' 200 ms default for one example (timings belong in bench/).
settings.register_profile("synchub", deadline=None)
settings.load_profile("synchub")

T = TypeVar("T")

# fixture name -> marker added automatically to every test that uses it
SERVER_MARKERS = {
    "postgres_server": "postgres",
    "pg_database": "postgres",
    "mariadb_server": "mariadb",
    "mariadb_database": "mariadb",
    "sshd_server": "sshd",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(exc: Exception) -> NoReturn:
    if in_ci():
        pytest.fail(f"CI=true but a real server cannot start: {exc}", pytrace=False)
    pytest.skip(str(exc))


def _start(cls: Callable[[], T]) -> T:
    """Construct and start a server; clean its temp dir up if starting fails."""
    try:
        server = cls()
    except servers.ServerUnavailable as exc:
        _unavailable(exc)
    try:
        return server.start()  # type: ignore[attr-defined,no-any-return]
    except servers.ServerUnavailable as exc:
        server.stop()  # type: ignore[attr-defined]
        _unavailable(exc)
    except BaseException:
        server.stop()  # type: ignore[attr-defined]
        raise


def pytest_configure(config: pytest.Config) -> None:
    # `timeout`, CI runners and process managers stop a run with SIGTERM, which would end Python
    # at once and leave every server started here running. As an interrupt, pytest tears the
    # fixtures down first, and their finalizers stop the servers.
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            marker = SERVER_MARKERS.get(fixture)
            if marker and not item.get_closest_marker(marker):
                item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[servers.PostgresServer]:
    """A PostgreSQL 15 cluster: `.dsn(db)`, `.create_database()`, superuser postgres, trust."""
    server = _start(servers.PostgresServer)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[servers.MariaDBServer]:
    """A MariaDB server: `.connect(db)`, `.url(db)`, `.create_database()`, `.create_readonly_user()`."""
    server = _start(servers.MariaDBServer)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(postgres_server: servers.PostgresServer) -> Iterator[str]:
    """DSN of a new empty PostgreSQL database, dropped after the test."""
    dsn = postgres_server.create_database()
    yield dsn
    postgres_server.drop_database(dsn.rsplit("/", 1)[1])


@pytest.fixture
def mariadb_database(mariadb_server: servers.MariaDBServer) -> Iterator[str]:
    """Name of a new empty MariaDB database, dropped after the test."""
    name = mariadb_server.create_database()
    yield name
    mariadb_server.drop_database(name)


@pytest.fixture(scope="module")
def sshd_server() -> Iterator[Any]:
    """OpenSSH sshd with the production chroot config (deploy/sshd/); `.add_reseller(id, key)`.

    One per test module (it starts in ~0.1 s): a hub scanning the chroot root then sees only
    the uploads of the module's own resellers.
    """
    server = _start(servers.SshdServer)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``synchub demo --no-serve`` run once per session (the API test and the browser walk share it)."""
    from tests.integration.demokit import run_demo

    return run_demo(tmp_path_factory.mktemp("demo"))
