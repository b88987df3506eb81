"""The one error model: each error class has one status, every error one body shape."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from hub.core.errors import install_error_handlers
from shared.errors import (
    ConfigError,
    Conflict,
    DataError,
    FatalError,
    Forbidden,
    NotFound,
    SourceUnavailable,
    TooLarge,
)

RAISED = {
    "missing": (NotFound("no order 7", hint="check the number"), 404),
    "forbidden": (Forbidden("only finance may confirm"), 403),
    "conflict": (Conflict("already paid"), 409),
    "large": (TooLarge("the file is over 10 MB"), 413),
    "invalid": (DataError("2 lines are wrong", problems=["line 1: qty", "line 2: sku"]), 422),
    "config": (ConfigError([("SYNCHUB_X", "missing")]), 422),
    "retry": (SourceUnavailable("the database is down"), 503),
    "fatal": (FatalError("cannot"), 422),
}


class Body(BaseModel):
    quantity: int


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/v1/raise/{name}")
    def raise_(name: str) -> None:
        raise RAISED[name][0]

    @app.get("/api/v1/http")
    def http() -> None:
        raise HTTPException(404, "no such thing")

    @app.post("/api/v1/body")
    def body(b: Body) -> None:
        return None

    return TestClient(app)


def _shape(payload: dict) -> None:
    assert set(payload) == {"error", "message", "hint", "problems"}


@pytest.mark.parametrize("name", sorted(RAISED))
def test_each_class_has_its_status_and_the_one_shape(client: TestClient, name: str) -> None:
    exc, status = RAISED[name]
    r = client.get(f"/api/v1/raise/{name}")
    assert r.status_code == status
    _shape(r.json())
    assert r.json()["error"] == type(exc).__name__


def test_problems_and_hint_travel(client: TestClient) -> None:
    out = client.get("/api/v1/raise/invalid").json()
    assert [p["message"] for p in out["problems"]] == ["line 1: qty", "line 2: sku"]
    assert client.get("/api/v1/raise/missing").json()["hint"] == "check the number"
    config = client.get("/api/v1/raise/config").json()
    assert config["problems"] == [{"field": "SYNCHUB_X", "message": "missing"}]


def test_framework_errors_share_the_shape(client: TestClient) -> None:
    r = client.get("/api/v1/http")
    assert r.status_code == 404
    _shape(r.json())
    assert r.json()["error"] == "NotFound"
    bad = client.post("/api/v1/body", json={"quantity": "many"})
    assert bad.status_code == 422
    _shape(bad.json())
    assert bad.json()["problems"][0]["field"] == "body.quantity"


def test_messages_follow_the_callers_language(client: TestClient) -> None:
    bad = client.post("/api/v1/body", json={}, headers={"cookie": "synchub_lang=en"})
    assert bad.json()["message"] == "the request is not valid"
    bad = client.post("/api/v1/body", json={}, headers={"cookie": "synchub_lang=id"})
    assert bad.json()["message"] == "permintaan tidak valid"
