"""The ingest's HTTP API and CLI on a real (SQLite) hub."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from ingest_kit import Hub

from hub.cli import cli
from hub.core.db import transaction
from hub.core.deps import optional_principal
from hub.core.roles import Principal, Role
from hub.ingest.routes import router
from hub.resellers.service import disable_reseller, enable_reseller
from tests.hub.routerkit import router_app

V1 = {1: ("Mouse", "9.50")}


@pytest.fixture
def client(hub: Hub) -> TestClient:
    """The ingest router called by the operations manager (sign-in itself is tested in tests/hub/web)."""
    app = router_app(hub.factory, hub.settings)
    app.include_router(router)
    app.dependency_overrides[optional_principal] = lambda: Principal(
        role=Role.OPERATIONS, username="ops"
    )
    return TestClient(app)


def test_history_sync_health_and_quarantine_retry(hub: Hub, client: TestClient) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    r.push(3, "incremental", {2: ("Pad", "1.00")})
    with transaction(hub.factory) as s:
        disable_reseller(s, "toko-a")
    r.push(4, "incremental", {3: ("Pen", "2.00")})
    hub.ingest()

    body = client.get("/api/v1/snapshots", params={"reseller_id": "toko-a"}).json()
    assert body["count"] == 3
    assert {d["sequence"]: d["status"] for d in body["data"]} == {
        1: "quarantined",
        3: "quarantined",
        4: "quarantined",
    }
    with transaction(hub.factory) as s:
        enable_reseller(s, "toko-a")
    q = client.get("/api/v1/quarantine").json()
    assert q["count"] == 3 and all("disabled" in d["reason"] for d in q["data"])
    for d in q["data"]:
        assert client.post(f"/api/v1/quarantine/{d['id']}/retry").status_code == 202
    assert client.post(f"/api/v1/quarantine/{q['data'][0]['id']}/retry").status_code == 409
    assert client.post("/api/v1/quarantine/999/retry").status_code == 404
    hub.ingest()  # the worker picks the queued ones up

    health = client.get("/api/v1/resellers/toko-a/sync").json()
    assert health["last_applied_sequence"] == 1
    assert health["held_sequences"] == [3, 4] and health["missing_sequences"] == [2]
    assert health["last_rows"] == 1 and health["agent_version"] == "test-agent 1.0"
    assert health["age_seconds"] >= 0 and health["quarantined"] == 0
    assert client.get("/api/v1/resellers/nobody/sync").status_code == 404


def test_cli_lists_and_retries(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_HOME", str(hub.settings.home))
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "test")
    r = hub.reseller("toko-a")
    with transaction(hub.factory) as s:
        disable_reseller(s, "toko-a")
    r.push(1, "full", V1)
    runner = CliRunner()
    out = runner.invoke(cli, ["ingest", "--once"], catch_exceptions=False).output
    assert "1 quarantined" in out
    out = runner.invoke(cli, ["quarantine", "list"], catch_exceptions=False).output
    assert "toko-a" in out and "is disabled" in out
    with transaction(hub.factory) as s:
        enable_reseller(s, "toko-a")
    sid = hub.snapshots()[0].id
    out = runner.invoke(cli, ["quarantine", "retry", str(sid)], catch_exceptions=False).output
    assert f"snapshot #{sid}: applied" in out
    out = runner.invoke(
        cli, ["snapshots", "list", "--reseller", "toko-a"], catch_exceptions=False
    ).output
    assert "applied" in out and "1 of 1 snapshot(s)" in out
    assert hub.products("toko-a") == V1
    res = runner.invoke(cli, ["ingest", "--once", "--workers", "2"])
    assert res.exit_code != 0 and "PostgreSQL" in res.output
