"""The real hub app with seeded catalog/stock and signed-in callers per role (orders API tests, bench)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.core.runtime import init_hub
from hub.core.security import CSRF_HEADER, SESSION_COOKIE
from hub.core.settings import HubSettings
from hub.users import service as users
from hub.users.sessions import issue_token, start_session
from tests.hub.orders.helpers import Hub, seed

STAFF = (Role.FINANCE, Role.INVENTORY, Role.OPERATIONS, Role.OWNER)


@dataclass
class Api:
    app: FastAPI
    hub: Hub
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)

    def client(self, who: str) -> TestClient:
        """``who``: a reseller id (Bearer token) or a staff role value (session cookie + CSRF)."""
        c = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        c.headers["Accept-Language"] = "en"  # API messages in English (pages ignore it)
        c.headers.update(self.headers[who])
        c.cookies.update(self.cookies.get(who, {}))
        return c


def make_api(
    db_url: str,
    home: Path,
    stock_levels: Mapping[str, int],
    *,
    settings_kw: Mapping[str, Any] | None = None,
    **seed_kw: Any,
) -> Api:
    settings = HubSettings(
        home=home,
        database_url=db_url,
        environment="test",  # type: ignore[arg-type]
        secret_key="orders-tests-" + "x" * 24,
        **(settings_kw or {}),
    )
    init_hub(settings)
    app = create_app(settings)
    hub = seed(Hub(app.state.hub.engine, app.state.hub.session_factory), stock_levels, **seed_kw)
    api = Api(app, hub)
    admin = Principal(role=Role.OWNER, username="orders-tests")
    with transaction(app.state.hub.session_factory) as s:
        for rid in ("r1", "r2"):
            token, _ = issue_token(s, admin, rid, f"{rid} shop")
            api.headers[rid] = {"Authorization": f"Bearer {token}"}
        for role in STAFF:
            user = users.create_user(
                s,
                None,
                username=f"orders-{role.value}",
                password="correct horse battery",
                role=role.value,
            )
            sid, web = start_session(s, user, 3600)
            api.headers[role.value] = {CSRF_HEADER: web.csrf_token}
            api.cookies[role.value] = {SESSION_COOKIE: sid}
        s.commit()
    return api
