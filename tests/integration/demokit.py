"""Run ``synchub demo --no-serve`` once, as a user would, and open the hub it leaves behind.

The demo prints one login per role (``  <role> (<reseller>)  <username> / <password>``);
:func:`run_demo` reads them back so tests sign in exactly with what a person would type.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.core.settings import HubSettings

LOGIN_LINE = re.compile(r"^  (\w+)(?: \(([\w-]+)\))?\s+(\S+) / (\S+)$", re.M)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    reseller_id: str | None
    username: str
    password: str


@dataclass
class DemoRun:
    home: Path
    stdout: str
    stderr: str
    returncode: int
    logins: list[DemoLogin]

    def login(self, role: str, reseller_id: str | None = None) -> DemoLogin:
        """The printed login of ``role`` (of that reseller when given, else the first)."""
        return next(
            x
            for x in self.logins
            if x.role == role and (reseller_id is None or x.reseller_id == reseller_id)
        )

    def app(self) -> FastAPI:
        """The demo's hub, as ``synchub demo`` serves it (same home, SQLite, settings)."""
        return create_app(HubSettings(home=self.home, environment="development", database_url=""))


def run_demo(workdir: Path) -> DemoRun:
    synchub = Path(sys.executable).with_name("synchub")
    home = workdir / "demo"
    done = subprocess.run(
        [str(synchub), "demo", "--no-serve", "--home", str(home)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    logins = [DemoLogin(*m.groups()) for m in LOGIN_LINE.finditer(done.stdout)]
    return DemoRun(home, done.stdout, done.stderr, done.returncode, logins)


def signed_in(app: FastAPI, login: DemoLogin) -> TestClient:
    """A client signed in through the real login form, CSRF header set for API writes."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    done = client.post(
        "/login",
        data={
            "username": login.username,
            "password": login.password,
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert done.status_code in (302, 303), done.text[:500]
    page = client.get("/account")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert csrf, page.text[:500]
    client.headers["X-CSRF-Token"] = csrf.group(1)  # as the pages' scripts send it
    return client
