"""Orders placed inline on the event loop (PostgreSQL's default) or in the thread pool (SQLite's)
answer alike: the order, its replay, a refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest
from fastapi.concurrency import run_in_threadpool

from hub.orders import http
from hub.orders.models import Order
from tests.hub.orders.apikit import make_api


@pytest.mark.parametrize(
    "database,setting,inline",
    [
        ("sqlite", None, False),
        ("sqlite", True, True),
        ("postgresql", None, True),
        ("postgresql", False, False),
    ],
)
def test_placement_runs_where_configured_and_answers_alike(
    database: str,
    setting: Optional[bool],
    inline: bool,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hops: list[Any] = []

    async def counted(work: Any) -> Any:
        hops.append(work)
        return await run_in_threadpool(work)

    monkeypatch.setattr(http, "run_in_threadpool", counted)
    url = (
        f"sqlite:///{tmp_path / 'hub.db'}"
        if database == "sqlite"
        else request.getfixturevalue("pg_database").replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    )
    api = make_api(
        url,
        tmp_path / "home",
        {"SSD": 3},
        settings_kw={} if setting is None else {"inline_order_placement": setting},
    )
    assert api.app.state.hub.inline_order_placement is inline
    with api.client("r1") as client:
        line = {"lines": [{"sku": "SSD", "quantity": 2}]}
        first = client.post("/api/v1/orders", json=line, headers={"Idempotency-Key": "k-1"})
        again = client.post("/api/v1/orders", json=line, headers={"Idempotency-Key": "k-1"})
        short = client.post("/api/v1/orders", json=line, headers={"Idempotency-Key": "k-2"})
    assert first.status_code == 201 and first.json()["state"] == "awaiting_payment"
    assert (again.status_code, again.json(), again.headers["Idempotent-Replayed"]) == (
        201,
        first.json(),
        "true",
    )
    assert short.status_code == 409 and "asked 2, available 1" in short.text
    assert len(hops) == (0 if inline else 3)  # inline: never handed to the thread pool
    with api.hub.factory() as s:
        assert [o.id for o in s.query(Order)] == [first.json()["id"]]
    api.app.state.hub.engine.dispose()
