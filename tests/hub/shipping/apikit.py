"""The real hub app on the shared region database, with signed-in clients per role.

Used by the route tests and by ``bench/bench_shipping.py`` (same auth path as production:
a staff session cookie + CSRF header, or a reseller's Bearer API token).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from hub.app import create_app
from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.core.runtime import init_hub
from hub.core.security import CSRF_HEADER, SESSION_COOKIE
from hub.core.settings import HubSettings
from hub.resellers.service import add_reseller
from hub.users import service as users
from hub.users.sessions import issue_token, start_session
from shared import keys

RESELLERS = ("r1", "r2")
STAFF_ROLES = (Role.OWNER, Role.INVENTORY, Role.MARKETING)


@dataclass
class Auth:
    """How each principal signs its requests: headers and cookies to send."""

    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)


def make_app(db_url: str, home: Path, **settings_kw: object) -> FastAPI:
    settings = HubSettings(
        home=home,
        database_url=db_url,
        environment="test",  # type: ignore[arg-type]
        secret_key="shipping-tests-" + "x" * 24,
        **settings_kw,
    )
    init_hub(settings)
    return create_app(settings)


def _ssh_line() -> str:
    pub = Ed25519PrivateKey.generate().public_key()
    return pub.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


def seed(factory: sessionmaker[Session]) -> Auth:
    """Resellers r1, r2 with a Bearer token each; staff users with a web session each."""
    auth = Auth()
    admin = Principal(role=Role.OWNER, username="shipping-tests")
    with transaction(factory) as s:
        for rid in RESELLERS:
            add_reseller(
                s,
                {
                    "id": rid,
                    "name": f"Toko {rid}",
                    "ssh_public_key": _ssh_line(),
                    "signing_public_key": keys.public_b64(keys.generate_signing_key()),
                },
            )
            token, _ = issue_token(s, admin, rid, f"{rid} shop")
            auth.headers[rid] = {"Authorization": f"Bearer {token}"}
        for role in STAFF_ROLES:
            user = users.create_user(
                s,
                None,
                username=f"ship-{role.value}",
                password="correct horse battery",
                role=role.value,
            )
            sid, web = start_session(s, user, 3600)
            auth.headers[role.value] = {CSRF_HEADER: web.csrf_token}
            auth.cookies[role.value] = {SESSION_COOKIE: sid}
    return auth
