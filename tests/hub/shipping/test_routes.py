"""The HTTP routes through FastAPI's TestClient on the shared region database."""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.core.db import session_factory
from hub.shipping.routes import router
from tests.hub.shipping.helpers import GOOD, HEADER


@pytest.fixture
def client(engine, db: Session) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.session_factory = session_factory(engine)
    app.include_router(router)
    with TestClient(app) as c:
        yield c


def test_import_then_quote(client: TestClient) -> None:
    r = client.post("/api/v1/shipping/ratecards", files={"file": ("c.csv", GOOD.encode())})
    assert r.status_code == 200, r.text
    assert r.json()["replaced_from"]["JNE REG"] == "2025-01-01"
    body = {"origin": "32.73", "destination": "35.78.01", "date": "2025-03-01",
            "items": [{"weight": "1.30", "length": 10, "width": 10, "height": 10,
                       "quantity": 1, "value": "250000"}]}
    r = client.post("/api/v1/shipping/quote", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["destination"]["level"] == "district" and data["count"] == 5
    reg = next(o for o in data["data"] if o["service"] == "REG" and o["courier"] == "JNE")
    assert reg["chargeable_weight"] == "1" and reg["fee"] == "12500"


def test_bad_rate_card_is_refused_with_rows(client: TestClient) -> None:
    bad = f"{HEADER}\nJNE,REG,32.73,35.78,-1,1,2,3,2025-01-01,\n"
    r = client.post("/api/v1/shipping/ratecards", files={"file": ("c.csv", bad.encode())})
    assert r.status_code == 422
    assert r.json()["detail"]["errors"] == ["row 2, price_per_kg: -1 is negative"]


def test_quote_errors_are_422(client: TestClient) -> None:
    r = client.post("/api/v1/shipping/quote", json={"origin": "32.73", "items": [{"weight": 1}]})
    assert r.status_code == 422
    r = client.post("/api/v1/shipping/quote",
                    json={"origin": "32.73", "destination": "77.77", "items": [{"weight": 1}]})
    assert r.status_code == 422 and "unknown kemendagri region code" in r.text


def test_region_search(client: TestClient) -> None:
    r = client.get("/api/v1/regions", params={"q": "surabaya", "level": 2})
    assert [d["kode"] for d in r.json()["data"]] == ["35.78"]
    r = client.get("/api/v1/regions", params={"postal_code": "40111"})
    assert r.json()["count"] >= 1 and all(d["level"] == "village" for d in r.json()["data"])
    assert client.get("/api/v1/regions").status_code == 422
