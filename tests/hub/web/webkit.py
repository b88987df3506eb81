"""A seeded hub for web tests: two resellers with snapshots, merged data and a user per role."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.app import create_app
from hub.audit.models import AuditEntry
from hub.core.db import transaction, utcnow
from hub.core.roles import RESELLER_ROLES, Role
from hub.core.runtime import init_hub
from hub.core.security import LANG_COOKIE, SESSION_COOKIE
from hub.core.settings import HubSettings
from hub.ingest.models import ResellerSync, Snapshot
from hub.merge import merge_snapshot
from hub.resellers.service import add_reseller
from hub.users import service
from hub.users.models import User
from hub.users.sessions import issue_token, start_session
from shared import keys as sk
from tests.hub.ingest.ingest_kit import ssh_line
from tests.hub.merge.snapbuild import build, cols

PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script>"
RESELLERS = ("r1", "r2")
UTC = dt.timezone.utc
PRODUCTS = cols("id:integer!", "name:text", "price:decimal")


@dataclass
class Seeded:
    app: FastAPI
    tmp: Path
    users: dict[str, User] = field(default_factory=dict)  # username -> user
    snapshot_ids: dict[str, dict[str, int]] = field(
        default_factory=dict
    )  # reseller -> {status: id}
    tokens: dict[str, str] = field(default_factory=dict)  # reseller -> bearer secret

    def username(self, role: Role, reseller: str = "r1") -> str:
        return f"{role.value}-{reseller}" if role in RESELLER_ROLES else role.value

    def client(self, role: Role | None = None, reseller: str = "r1") -> TestClient:
        """A client signed in as a user of ``role`` (a fresh server-side session), CSRF header set."""
        c = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        c.headers["Accept-Language"] = "en"  # API messages in English (pages ignore it)
        if role is not None:
            user = self.users[self.username(role, reseller)]
            with transaction(self.app.state.hub.session_factory) as s:
                sid, web = start_session(s, user, 3600)
                csrf = web.csrf_token
            c.cookies.set(SESSION_COOKIE, sid)
            c.headers["X-CSRF-Token"] = csrf
        return c

    def token_client(self, reseller: str = "r1") -> TestClient:
        c = TestClient(self.app, follow_redirects=False)
        c.headers["Accept-Language"] = "en"  # API messages in English (pages ignore it)
        c.headers["Authorization"] = f"Bearer {self.tokens[reseller]}"
        return c


def english(hub: Seeded, role: Role = Role.OWNER, reseller: str = "r1") -> TestClient:
    """A client of ``role`` that reads the pages in English (the hub's default is Indonesian)."""
    c = hub.client(role, reseller)
    c.cookies.set(LANG_COOKIE, "en")
    return c


def audit_count(hub: Seeded) -> int:
    with hub.app.state.hub.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def last_audit(hub: Seeded) -> AuditEntry:
    with hub.app.state.hub.session_factory() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None, "no audit entry"
    return entry


def cli_env(hub: Seeded, monkeypatch: Any) -> None:
    """Point ``synchub`` commands (CliRunner) at ``hub``'s home, as its operator's shell would."""
    settings = hub.app.state.hub.settings
    monkeypatch.setenv("SYNCHUB_HOME", str(settings.home))
    monkeypatch.setenv("SYNCHUB_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "test")


def settings(tmp: Path, **kw: object) -> HubSettings:
    s = HubSettings(
        home=tmp / "hub",
        environment="test",
        secret_key="test-secret-" + "x" * 20,  # type: ignore[arg-type]
        **kw,
    )
    init_hub(s)
    return s


def login_form(client: TestClient, username: str, password: str = PASSWORD, next_: str = "/"):
    """Sign in through the real form: GET /login for the CSRF token, then POST."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_},
    )


def seed(tmp: Path, **kw: object) -> Seeded:
    app = create_app(settings(tmp, **kw))
    factory = app.state.hub.session_factory
    out = Seeded(app, tmp)
    t0 = utcnow() - dt.timedelta(hours=30)
    with transaction(factory) as s:
        for rid in RESELLERS:
            add_reseller(
                s,
                {
                    "id": rid,
                    "name": f"Toko {rid} {XSS}",
                    "ssh_public_key": ssh_line(),
                    "signing_public_key": sk.public_b64(sk.generate_signing_key()),
                },
            )
    for n, rid in enumerate(RESELLERS):
        with transaction(factory) as s:
            ok = Snapshot(
                reseller_id=rid,
                sequence=1,
                kind="full",
                file_name=f"{rid}-1.snap",
                file_sha256=f"{n}a" * 32,
                file_bytes=100,
                status="applied",
                received_at=t0,
                applied_at=t0 + dt.timedelta(minutes=3),
                source_created_at=t0 - dt.timedelta(minutes=2),
                rows=2,
                agent_version="syncagent 0.1",
            )
            bad = Snapshot(
                reseller_id=rid,
                sequence=2,
                kind="incremental",
                file_name=f"{rid}-2.snap",
                file_sha256=f"{n}b" * 32,
                file_bytes=100,
                status="quarantined",
                reason=f"signature does not verify {XSS}",
                received_at=t0,
            )
            s.add_all([ok, bad])
            s.flush()
            s.add(
                ResellerSync(
                    reseller_id=rid,
                    last_applied_sequence=1,
                    last_full_sequence=1,
                    last_success_at=t0 + dt.timedelta(minutes=3),
                    last_snapshot_id=ok.id,
                )
            )
            out.snapshot_ids[rid] = {"applied": ok.id, "quarantined": bad.id}
        rows = [(1, f"Laptop {rid}", Decimal("1234567.00")), (2, XSS, Decimal("15.50"))]
        manifest, reader = build(
            tmp, {"products": (PRODUCTS, ["id"], rows)}, created_at=t0, reseller_id=rid
        )
        with transaction(factory) as s:
            merge_snapshot(
                s,
                reseller_id=rid,
                snapshot_id=out.snapshot_ids[rid]["applied"],
                manifest=manifest,
                reader=reader,
                received_at=t0,
            )
    with transaction(factory) as s:
        for role in Role:
            for rid in RESELLERS if role in RESELLER_ROLES else (None,):
                name = f"{role.value}-{rid}" if rid else role.value
                out.users[name] = service.create_user(
                    s, None, username=name, password=PASSWORD, role=role.value, reseller_id=rid
                )
        admin = service.principal_of(out.users["owner"])
        for rid in RESELLERS:
            out.tokens[rid], _ = issue_token(s, admin, rid, f"{rid} shop system")
    return out
