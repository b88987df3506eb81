"""API tokens are remembered per worker for a while: revocation is immediate where it happened, bounded elsewhere."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hub.app import create_app
from hub.core.roles import Principal, Role
from hub.users.auth import TokenCache
from tests.hub.web.webkit import Seeded, seed, settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _principal(token_id: int) -> Principal:
    return Principal(role=Role.RESELLER, reseller_id="r1", token_id=token_id)


def test_entries_expire_after_the_ttl_and_can_be_forgotten() -> None:
    clock = Clock()
    cache = TokenCache(10, clock=clock)
    cache.put("a", _principal(1))
    cache.put("b", _principal(2))
    clock.now += 9.9
    assert cache.get("a") == _principal(1)
    cache.forget(2)
    assert cache.get("b") is None
    clock.now += 0.2
    assert cache.get("a") is None


def test_zero_ttl_caches_nothing_and_the_table_is_bounded() -> None:
    assert TokenCache(0).get("a") is None
    off = TokenCache(0)
    off.put("a", _principal(1))
    assert off.get("a") is None
    small = TokenCache(60, max_entries=3)
    for i in range(10):
        small.put(str(i), _principal(i))
    assert small.get("9") == _principal(9)
    assert len(small._entries) <= 3


def _me(client: TestClient, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_token_revoked_in_one_worker_is_refused_by_another_once_its_cache_lapses(
    tmp_path,
) -> None:
    hub: Seeded = seed(tmp_path, api_token_cache_seconds=60)
    other_worker = TestClient(create_app(settings(tmp_path, api_token_cache_seconds=60)))
    clock = Clock()
    other_worker.app.state.hub.authenticator.tokens._clock = clock  # type: ignore[attr-defined]
    token = hub.tokens["r1"]
    assert _me(other_worker, token) == 200  # remembered from now on
    admin = hub.client(Role.OWNER)
    listed = admin.get("/api/v1/tokens").json()["data"]
    token_id = next(t["id"] for t in listed if t["reseller_id"] == "r1" and not t["revoked_at"])
    assert admin.post(f"/api/v1/tokens/{token_id}/revoke").status_code == 200
    assert _me(hub.token_client("r1"), token) == 401  # the revoking worker: at once
    assert _me(other_worker, token) == 200  # another worker: until its entry lapses
    clock.now += 61
    assert _me(other_worker, token) == 401
    assert _me(other_worker, "sht_nonsense") == 401


def test_without_a_cache_revocation_is_immediate_everywhere(tmp_path) -> None:
    hub = seed(tmp_path, api_token_cache_seconds=0)
    other_worker = TestClient(create_app(settings(tmp_path, api_token_cache_seconds=0)))
    token = hub.tokens["r1"]
    assert _me(other_worker, token) == 200
    admin = hub.client(Role.OWNER)
    listed = admin.get("/api/v1/tokens").json()["data"]
    token_id = next(t["id"] for t in listed if t["reseller_id"] == "r1" and not t["revoked_at"])
    assert admin.post(f"/api/v1/tokens/{token_id}/revoke").status_code == 200
    assert _me(other_worker, token) == 401
