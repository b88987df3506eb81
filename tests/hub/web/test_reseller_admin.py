"""A reseller admin manages the users of its own reseller — and nobody else's (issue 4).

Scoping lives in hub.users.service; these tests go through the real API and pages
of a seeded hub (resellers r1 and r2, a user per role, see webkit.py).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.audit.models import AuditEntry
from hub.core.roles import STAFF, Role
from hub.users.models import User
from tests.hub.web.webkit import PASSWORD, Seeded, login_form

NEW_PASSWORD = "another horse battery staple"


def admin(hub: Seeded) -> TestClient:
    return hub.client(Role.RESELLER_ADMIN, "r1")


def user_row(hub: Seeded, username: str) -> User | None:
    with hub.app.state.hub.session_factory() as s:
        return s.scalar(select(User).where(User.username == username))


def uid(hub: Seeded, username: str) -> int:
    return hub.users[username].id


def test_creates_a_user_of_its_own_reseller_who_signs_in_and_sees_only_it(hub: Seeded) -> None:
    r = admin(hub).post(
        "/api/v1/users",
        json={
            "username": "shop-clerk",
            "password": NEW_PASSWORD,
            "role": "reseller",
            "display_name": "Clerk",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["reseller_id"], body["role"], body["must_change_password"]) == (
        "r1",
        "reseller",
        True,
    )
    with hub.app.state.hub.session_factory() as s:
        entry = s.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "user.create", AuditEntry.entity_id == str(body["id"])
            )
        )
    assert (
        entry is not None
        and entry.actor == "reseller_admin-r1"
        and entry.actor_role == "reseller_admin"
    )
    assert entry.after["reseller_id"] == "r1"

    clerk = TestClient(hub.app, follow_redirects=False)
    assert login_form(clerk, "shop-clerk", NEW_PASSWORD).status_code == 303
    # the admin chose the password: the clerk may do nothing but change it first
    assert clerk.get("/api/v1/snapshots").status_code == 403
    page = clerk.get("/account").text
    clerk.headers["X-CSRF-Token"] = re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)  # type: ignore[union-attr]
    own = {"current": NEW_PASSWORD, "new": "the clerk's own password"}
    assert clerk.post("/api/v1/me/password", json=own).status_code == 204
    me = clerk.get("/api/v1/me").json()
    assert (me["role"], me["reseller_id"], me["is_staff"]) == ("reseller", "r1", False)
    snaps = clerk.get("/api/v1/snapshots", params={"reseller_id": "r2"}).json()
    assert snaps["count"] > 0 and {s["reseller_id"] for s in snaps["data"]} == {"r1"}


def test_naming_its_own_reseller_explicitly_works_too(hub: Seeded) -> None:
    r = admin(hub).post(
        "/api/v1/users",
        json={
            "username": "shop-boss2",
            "password": NEW_PASSWORD,
            "role": "reseller_admin",
            "reseller_id": "r1",
        },
    )
    assert r.status_code == 201 and r.json()["reseller_id"] == "r1"


@pytest.mark.parametrize("other", ["r2", "no-such-reseller"])
def test_cannot_create_for_another_reseller(hub: Seeded, other: str) -> None:
    """Another reseller, real or not, is simply not there for it (the same 404: ids do not leak)."""
    name = f"intruder-{other}"
    r = admin(hub).post(
        "/api/v1/users",
        json={"username": name, "password": NEW_PASSWORD, "role": "reseller", "reseller_id": other},
    )
    assert r.status_code == 404 and other in r.json()["message"]
    assert user_row(hub, name) is None


@pytest.mark.parametrize("role", sorted(r.value for r in STAFF))
def test_cannot_create_a_staff_user(hub: Seeded, role: str) -> None:
    name = f"would-be-{role}"
    r = admin(hub).post(
        "/api/v1/users", json={"username": name, "password": NEW_PASSWORD, "role": role}
    )
    assert r.status_code == 403 and f"may not give the {role} role" in r.json()["message"]
    assert user_row(hub, name) is None


def test_list_shows_only_its_own_resellers_users(hub: Seeded) -> None:
    users = admin(hub).get("/api/v1/users").json()
    assert {u["reseller_id"] for u in users["data"]} == {"r1"}
    names = {u["username"] for u in users["data"]}
    assert (
        {"reseller-r1", "reseller_admin-r1"} <= names
        and "reseller-r2" not in names
        and "owner" not in names
    )
    page = admin(hub).get("/users")
    assert page.status_code == 200
    assert (
        "reseller-r1" in page.text and "reseller-r2" not in page.text and ">owner<" not in page.text
    )
    assert not re.search(r'<option value="(owner|operations|finance)"', page.text)


@pytest.mark.parametrize("target", ["reseller-r2", "reseller_admin-r2", "owner", "finance"])
def test_cannot_touch_users_outside_its_reseller(hub: Seeded, target: str) -> None:
    c, user_id = admin(hub), uid(hub, target)
    before = user_row(hub, target)
    assert c.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 404
    assert c.post(f"/api/v1/users/{user_id}/reset-password").status_code == 404
    assert c.post(f"/users/{user_id}/active", data={"active": "false"}).status_code == 404
    assert c.post(f"/users/{user_id}/reset").status_code == 404
    after = user_row(hub, target)
    assert before is not None and after is not None
    assert (after.active, after.password_hash) == (before.active, before.password_hash)


def test_cannot_promote_its_user_to_staff(hub: Seeded) -> None:
    r = admin(hub).patch(f"/api/v1/users/{uid(hub, 'reseller-r1')}", json={"role": "owner"})
    assert r.status_code == 403 and "owner" in r.json()["message"]
    assert user_row(hub, "reseller-r1").role == "reseller"  # type: ignore[union-attr]


def test_deactivates_reactivates_and_resets_its_users(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    c, target = admin(hub), uid(hub, "reseller-r1")
    victim = hub.client(Role.RESELLER, "r1")
    assert victim.get("/api/v1/me").status_code == 200
    assert c.post(f"/users/{target}/active", data={"active": "false"}).status_code == 303
    assert user_row(hub, "reseller-r1").active is False  # type: ignore[union-attr]
    assert victim.get("/api/v1/me").status_code == 401  # its sessions ended
    assert c.patch(f"/api/v1/users/{target}", json={"active": True}).json()["active"] is True

    temp = c.post(f"/api/v1/users/{target}/reset-password").json()["temporary_password"]
    fresh = TestClient(hub.app, follow_redirects=False)
    assert login_form(fresh, "reseller-r1", PASSWORD).status_code != 303  # the old password is gone
    assert (
        login_form(fresh, "reseller-r1", temp).headers["location"] == "/account"
    )  # must change it
    with hub.app.state.hub.session_factory() as s:
        actions = {
            e.action
            for e in s.scalars(
                select(AuditEntry).where(
                    AuditEntry.actor == "reseller_admin-r1", AuditEntry.entity_id == str(target)
                )
            )
        }
    assert actions == {"user.update", "user.password_reset"}


def test_page_form_creates_for_its_own_reseller(hub: Seeded) -> None:
    c = admin(hub)
    page = c.get("/users").text
    assert 'name="reseller_id"' not in page and "<strong>r1</strong>" in page
    r = c.post(
        "/users",
        data={
            "username": "page-clerk",
            "password": NEW_PASSWORD,
            "role": "reseller",
            "reseller_id": "r2",
        },
    )
    assert r.status_code == 404 and user_row(hub, "page-clerk") is None
    r = c.post("/users", data={"username": "page-clerk", "password": NEW_PASSWORD, "role": "owner"})
    assert r.status_code == 403 and user_row(hub, "page-clerk") is None
    r = c.post(
        "/users", data={"username": "page-clerk", "password": NEW_PASSWORD, "role": "reseller"}
    )
    assert r.status_code == 200 and "page-clerk" in r.text
    assert user_row(hub, "page-clerk").reseller_id == "r1"  # type: ignore[union-attr]


def test_nav_offers_users_to_reseller_admins_only(hub: Seeded) -> None:
    def nav(role: Role) -> str:
        return (
            hub.client(role, "r1").get("/portal" if role.value.startswith("reseller") else "/").text
        )

    assert 'href="/users"' in nav(Role.RESELLER_ADMIN)
    assert 'href="/users"' not in nav(Role.RESELLER)


def test_plain_reseller_gets_403_everywhere(hub: Seeded) -> None:
    c, other = hub.client(Role.RESELLER, "r1"), uid(hub, "reseller_admin-r1")
    body = {"username": "sneaky", "password": NEW_PASSWORD, "role": "reseller"}
    for r in (
        c.get("/api/v1/users"),
        c.post("/api/v1/users", json=body),
        c.patch(f"/api/v1/users/{other}", json={"active": False}),
        c.post(f"/api/v1/users/{other}/reset-password"),
        c.get("/users"),
        c.post("/users", data=body),
        c.post(f"/users/{other}/active", data={"active": "false"}),
        c.post(f"/users/{other}/reset"),
        hub.token_client("r1").get("/api/v1/users"),
    ):
        assert r.status_code == 403, r.text
    assert user_row(hub, "sneaky") is None


def test_owner_keeps_full_control(fresh_hub: Seeded) -> None:
    c = fresh_hub.client(Role.OWNER)
    assert {u["reseller_id"] for u in c.get("/api/v1/users").json()["data"]} == {None, "r1", "r2"}
    staff = c.post(
        "/api/v1/users",
        json={"username": "new-finance", "password": NEW_PASSWORD, "role": "finance"},
    )
    assert staff.status_code == 201 and staff.json()["reseller_id"] is None
    r2 = c.post(
        "/api/v1/users",
        json={
            "username": "r2-clerk",
            "password": NEW_PASSWORD,
            "role": "reseller",
            "reseller_id": "r2",
        },
    )
    assert r2.status_code == 201 and r2.json()["reseller_id"] == "r2"
    missing = c.post(
        "/api/v1/users",
        json={
            "username": "ghost",
            "password": NEW_PASSWORD,
            "role": "reseller",
            "reseller_id": "no-such-reseller",
        },
    )
    assert missing.status_code == 404 and "no-such-reseller" in missing.text
    target = uid(fresh_hub, "reseller_admin-r2")
    assert (
        c.patch(f"/api/v1/users/{target}", json={"role": "reseller"}).json()["role"] == "reseller"
    )
    assert c.post(f"/api/v1/users/{target}/reset-password").status_code == 200
    assert c.post(f"/users/{target}/active", data={"active": "false"}).status_code == 303
    assert user_row(fresh_hub, "reseller_admin-r2").active is False  # type: ignore[union-attr]
