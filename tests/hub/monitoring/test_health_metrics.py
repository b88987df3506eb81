"""``/healthz``, ``/readyz`` and ``/metrics`` as a load balancer and Prometheus use them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from hub.core.keys import HubKeys
from hub.reception.server import SftpServer
from tests.hub.web.webkit import Seeded


def _families(text: str) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_healthz_needs_nothing(hub: Seeded) -> None:
    assert TestClient(hub.app).get("/healthz").json() == {"status": "ok"}


def test_readyz_names_what_is_missing_then_turns_ready(hub: Seeded) -> None:
    client = TestClient(hub.app)
    down = client.get("/readyz")
    assert down.status_code == 503
    checks = {c["name"]: c for c in down.json()["checks"]}
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not checks["reception"]["ok"]  # the SFTP server is not running yet
    state = hub.app.state.hub
    keys = HubKeys.load_or_create(state.settings.keys_dir)
    settings = state.settings.model_copy(update={"sftp_port": 0})
    server = SftpServer(settings, state.session_factory, keys.host_key).start()
    try:
        state.settings = settings.model_copy(update={"sftp_port": server.port})
        up = client.get("/readyz")
        assert up.status_code == 200, up.json()
        assert up.json()["ready"] is True
    finally:
        server.stop()
        state.settings = settings


def test_metrics_parse_as_prometheus_text_with_per_reseller_figures(hub: Seeded) -> None:
    client = TestClient(hub.app, client=("127.0.0.1", 50000))
    client.get("/healthz")  # one observed request at least
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = _families(r.text)
    snapshots = families["synchub_snapshots"]
    by_label = {
        (s.labels["reseller"], s.labels["status"]): s.value
        for s in snapshots.samples  # type: ignore[attr-defined]
    }
    assert by_label == {
        ("r1", "applied"): 1,
        ("r1", "quarantined"): 1,
        ("r2", "applied"): 1,
        ("r2", "quarantined"): 1,
    }
    lag = {
        s.labels["reseller"]: s.value
        for s in families["synchub_sync_lag_seconds"].samples  # type: ignore[attr-defined]
    }
    assert set(lag) == {"r1", "r2"} and all(29 * 3600 < v < 31 * 3600 for v in lag.values())
    overdue = families["synchub_sync_overdue"].samples  # type: ignore[attr-defined]
    assert {s.labels["reseller"]: s.value for s in overdue} == {"r1": 1.0, "r2": 1.0}
    http = families["synchub_http_request_duration_seconds"].samples  # type: ignore[attr-defined]
    assert any(s.labels.get("route") == "/healthz" for s in http)
    for name in ("synchub_merge_duration_seconds", "synchub_job_duration_seconds"):
        assert name in families


def test_metrics_refuse_strangers_unless_they_hold_the_token(hub: Seeded) -> None:
    stranger = TestClient(hub.app, client=("203.0.113.9", 50000))
    assert stranger.get("/metrics").status_code == 403
    state = hub.app.state.hub
    before = state.settings
    state.settings = before.model_copy(update={"metrics_token": SecretStr("s3cret-scrape")})
    try:
        assert stranger.get("/metrics").status_code == 403
        ok = stranger.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert ok.status_code == 200 and "synchub_snapshots" in ok.text
    finally:
        state.settings = before
