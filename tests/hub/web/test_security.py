"""CSRF, session fixation, brute-force lockout, cookies, tokens, passwords, secrets, audit immutability."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.audit.models import AuditEntry, AuditImmutable
from hub.core.roles import Role
from hub.core.security import SESSION_COOKIE, hash_password, verify_password
from hub.core.settings import HubSettings
from shared.errors import ConfigError
from tests.hub.web.webkit import PASSWORD, Seeded, login_form


def anon(hub: Seeded, **kw: object) -> TestClient:
    return TestClient(hub.app, follow_redirects=False, **kw)  # type: ignore[arg-type]


def test_login_sets_safe_cookie_and_logout_ends_the_session(hub: Seeded) -> None:
    c = anon(hub)
    r = login_form(c, "owner")
    assert r.status_code == 303, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert c.get("/api/v1/me").json()["role"] == "owner"
    page = c.get("/dashboard").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    sid = c.cookies[SESSION_COOKIE]
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    stale = anon(hub)
    stale.cookies.set(SESSION_COOKIE, sid)
    assert stale.get("/api/v1/me").status_code == 401


def test_secure_cookie_over_https_and_in_production(hub: Seeded) -> None:
    r = login_form(
        TestClient(hub.app, base_url="https://testserver", follow_redirects=False), "owner"
    )
    assert "secure" in r.headers["set-cookie"].lower()
    r = login_form(anon(hub), "owner")
    assert "secure" not in r.headers["set-cookie"].lower()  # plain http in test environment


def test_session_fixation_planted_id_is_replaced_and_dies(hub: Seeded) -> None:
    victim = anon(hub)
    # the attacker's own valid session, planted in the victim's browser
    attacker = hub.client(Role.RESELLER, "r2")
    planted = attacker.cookies[SESSION_COOKIE]
    victim.cookies.set(SESSION_COOKIE, planted)
    r = login_form(victim, "owner")
    assert r.status_code == 303
    fresh = r.cookies[SESSION_COOKIE]
    assert fresh != planted
    after = anon(hub)
    after.cookies.set(SESSION_COOKIE, fresh)
    assert after.get("/api/v1/me").json()["username"] == "owner"
    assert attacker.get("/api/v1/me").status_code == 401  # the planted id was ended at sign-in


def test_csrf_required_on_unsafe_cookie_requests(hub: Seeded) -> None:
    c = hub.client(Role.OWNER)
    good = c.headers.pop("X-CSRF-Token")
    body = {"username": "csrf-victim", "password": PASSWORD, "role": "marketing"}
    assert c.post("/api/v1/users", json=body).status_code == 403
    assert c.post("/api/v1/users", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert c.post("/users", data={**body, "csrf_token": "forged"}).status_code == 403
    assert c.post("/users", data={**body, "csrf_token": good}).status_code == 200
    assert c.get("/api/v1/users").status_code == 200  # safe methods need no token
    # the sign-in form needs its own (signed, double-submit) token
    assert (
        anon(hub).post("/login", data={"username": "owner", "password": PASSWORD}).status_code
        == 403
    )
    assert (
        anon(hub)
        .post("/login", data={"username": "owner", "password": PASSWORD, "csrf_token": "x"})
        .status_code
        == 403
    )


def test_bearer_tokens_need_no_csrf_and_can_be_revoked(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    t = hub.token_client("r1")
    assert t.get("/api/v1/me").json() == {
        **t.get("/api/v1/me").json(),
        "role": "reseller",
        "reseller_id": "r1",
    }
    admin = hub.client(Role.RESELLER_ADMIN, "r1")
    created = admin.post("/api/v1/tokens", json={"name": "pos"}).json()
    assert created["reseller_id"] == "r1" and created["token"].startswith("sht_")
    new = anon(hub, headers={"Authorization": f"Bearer {created['token']}"})
    assert new.get("/api/v1/resellers/r1/datasets").status_code == 200
    assert new.get("/api/v1/resellers/r2/datasets").status_code == 404
    assert admin.post(f"/api/v1/tokens/{created['id']}/revoke").json()["revoked_at"]
    assert new.get("/api/v1/me").status_code == 401
    assert (
        anon(hub, headers={"Authorization": "Bearer sht_nonsense"}).get("/api/v1/me").status_code
        == 401
    )


def test_brute_force_locks_username_then_address(tmp_path) -> None:
    from tests.hub.web.webkit import seed

    hub = seed(tmp_path, login_max_failures=3, login_ip_max_failures=5)
    c = anon(hub)
    codes = [login_form(c, "owner", "wrong password!").status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    locked = login_form(c, "owner")  # right password, but locked now
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert SESSION_COOKIE not in c.cookies
    # another user from the same address: works until the address's own limit
    assert login_form(c, "finance").status_code == 303
    for _ in range(5):
        login_form(c, f"nobody{_}", "wrong password!")
    assert login_form(anon(hub), "marketing").status_code == 429  # same address (testclient) locked


def test_password_change_and_admin_reset(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    user = hub.client(Role.FINANCE)
    assert (
        user.post(
            "/api/v1/me/password", json={"current": "nope", "new": "a new long password"}
        ).status_code
        == 403
    )
    assert (
        user.post("/api/v1/me/password", json={"current": PASSWORD, "new": "short"}).status_code
        == 422
    )
    assert (
        user.post(
            "/api/v1/me/password", json={"current": PASSWORD, "new": "a new long password"}
        ).status_code
        == 204
    )
    assert login_form(anon(hub), "finance").status_code == 401
    assert login_form(anon(hub), "finance", "a new long password").status_code == 303
    uid = hub.users["finance"].id
    temp = (
        hub.client(Role.OWNER)
        .post(f"/api/v1/users/{uid}/reset-password")
        .json()["temporary_password"]
    )
    assert user.get("/api/v1/me").status_code == 401  # reset ends the user's sessions
    r = login_form(anon(hub), "finance", temp)
    assert r.status_code == 303 and r.headers["location"] == "/account"  # must change it now
    actions = [e["action"] for e in hub.client(Role.OWNER).get("/api/v1/audit").json()["data"]]
    assert "user.password_reset" in actions and "user.password_change" in actions


def test_audit_log_cannot_be_edited(fresh_hub: Seeded) -> None:
    factory = fresh_hub.app.state.hub.session_factory
    with factory() as s:
        entry = s.query(AuditEntry).first()
        assert entry is not None
        entry.action = "forged"
        with pytest.raises(AuditImmutable):
            s.flush()
        s.rollback()
        s.delete(s.query(AuditEntry).first())
        with pytest.raises(AuditImmutable):
            s.flush()
    methods = {
        m
        for r in fresh_hub.app.routes
        for m in getattr(r, "methods", ())
        if "audit" in getattr(r, "path", "")
    }
    assert methods <= {"GET", "HEAD"}


def test_production_refuses_placeholder_secret(tmp_path) -> None:
    with pytest.raises(ConfigError, match="SYNCHUB_SECRET_KEY"):
        create_app(HubSettings(home=tmp_path, environment="production"))


def test_argon2_hashes_verify_and_differ() -> None:
    h1, h2 = hash_password("long enough pw"), hash_password("long enough pw")
    assert h1 != h2 and h1.startswith("$argon2id$")
    assert verify_password(h1, "long enough pw") and not verify_password(h1, "long enough pX")
    assert not verify_password(None, "long enough pw")


def test_every_answer_carries_the_security_headers(hub: Seeded) -> None:
    """Pages sent no Content-Security-Policy and no frame-ancestors: any site could frame them."""
    client = hub.client(Role.OWNER)
    for path in ("/login", "/dashboard", "/api/v1/me", "/api/v1/orders/999999", "/static/hub.css"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert (
            r.headers["x-frame-options"] == "DENY"
            and r.headers["x-content-type-options"] == "nosniff"
        )
