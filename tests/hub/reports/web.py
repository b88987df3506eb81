"""The data set behind a real app: the hub's database is built first, then the app opens it,
with a signed-in user per role (reseller users for r1 and r2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.core.db import transaction
from hub.core.roles import RESELLER_ROLES, Role
from hub.core.security import SESSION_COOKIE
from hub.users import service
from hub.users.models import User
from hub.users.sessions import start_session
from tests.hub.orders.helpers import Hub, open_db
from tests.hub.reports import dataset
from tests.hub.web.webkit import PASSWORD, settings


@dataclass
class App:
    app: FastAPI
    hub: Hub
    users: dict[str, User] = field(default_factory=dict)

    def client(self, role: Role | None = None, reseller: str = "r1") -> TestClient:
        c = TestClient(self.app, follow_redirects=False)
        if role is not None:
            name = f"{role.value}-{reseller}" if role in RESELLER_ROLES else role.value
            with transaction(self.app.state.hub.session_factory) as s:
                sid, web = start_session(s, self.users[name], 3600)
                csrf = web.csrf_token
            c.cookies.set(SESSION_COOKIE, sid)
            c.headers["X-CSRF-Token"] = csrf
        return c


def open_app(tmp: Path, monkeypatch: pytest.MonkeyPatch, *, data: bool = True) -> App:
    (tmp / "hub").mkdir(parents=True, exist_ok=True)
    hub = open_db(f"sqlite:///{(tmp / 'hub' / 'hub.db').resolve()}")
    if data:
        dataset.build(hub, tmp / "proofs", monkeypatch)
    app = create_app(settings(tmp))
    out = App(app, hub)
    with transaction(app.state.hub.session_factory) as s:
        for role in Role:
            for rid in ("r1", "r2") if role in RESELLER_ROLES else (None,):
                name = f"{role.value}-{rid}" if rid else role.value
                out.users[name] = service.create_user(
                    s, None, username=name, password=PASSWORD, role=role.value, reseller_id=rid
                )
    return out
