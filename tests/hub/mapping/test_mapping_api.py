"""Mapping over HTTP: staff preview and apply a ready-made profile; problems are shown, not applied."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from hub.audit.models import AuditEntry
from hub.core.db import transaction
from hub.core.deps import optional_principal
from hub.core.roles import Principal, Role
from hub.data.mapping_routes import router
from hub.resellers.service import add_reseller, find_reseller
from shared import keys
from tests.hub.mapping.test_northwind import merged, northwind_snapshot  # noqa: F401  (fixtures)
from tests.hub.routerkit import router_app


def _client(factory, role: Role = Role.OPERATIONS) -> TestClient:
    """The mapping router as the operations manager (sign-in itself is tested in tests/hub/web)."""
    app = router_app(factory)
    app.include_router(router)
    app.dependency_overrides[optional_principal] = lambda: Principal(
        role=role, username=role.value, user_id=1
    )
    with transaction(factory) as s:  # paths name enrolled resellers (unknown ones answer 404)
        for rid in ("nw-sqlite", "empty-shop"):
            if find_reseller(s, rid) is None:
                add_reseller(s, {"id": rid, "name": rid, **reseller_keys()})
    return TestClient(app, headers={"Accept-Language": "en"})


def reseller_keys() -> dict[str, str]:
    ssh = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    return {
        "ssh_public_key": ssh,
        "signing_public_key": keys.public_b64(keys.generate_signing_key()),
    }


def test_preview_then_apply_northwind(merged) -> None:  # noqa: F811
    factory, rid = merged, "nw-sqlite"
    c = _client(factory)
    names = [p["name"] for p in c.get("/api/v1/mapping/profiles").json()["data"]]
    assert names == ["northwind", "woocommerce", "opencart"]
    assert c.get(f"/api/v1/resellers/{rid}/mapping").json()["profile"] is None
    preview = c.get(
        f"/api/v1/resellers/{rid}/mapping/preview", params={"profile": "northwind"}
    ).json()
    assert preview["ok"] and preview["entities"]["sale_line"]["count"] == 2155
    assert preview["entities"]["product"]["sample"][0][1] == "Chai"
    assert (
        c.get(f"/api/v1/resellers/{rid}/mapping/preview", params={"profile": "nope"}).status_code
        == 404
    )
    applied = c.post(f"/api/v1/resellers/{rid}/mapping", json={"profile": "northwind"})
    assert applied.status_code == 200 and applied.json()["ok"]
    assert c.get(f"/api/v1/resellers/{rid}/mapping").json()["profile"]["name"] == "northwind"
    with factory() as s:
        assert s.query(AuditEntry).filter_by(action="mapping.apply").count() == 1


def test_a_profile_that_does_not_fit_is_refused_with_its_problems(merged) -> None:  # noqa: F811
    factory = merged
    c = _client(factory)
    r = c.post("/api/v1/resellers/empty-shop/mapping", json={"profile": "northwind"})
    assert r.status_code == 422 and "does not fit" in r.json()["message"]
    assert c.get("/api/v1/resellers/empty-shop/mapping").json()["profile"] is None
    with factory() as s:
        assert s.query(AuditEntry).filter_by(action="mapping.apply").count() == 0
