"""The HTTP routes through the real app (auth guards included) on the shared region database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.hub.shipping.apikit import make_app, seed
from tests.hub.shipping.helpers import GOOD, HEADER, FakeProvider

QUOTE = {
    "origin": "32.73",
    "destination": "35.78.01",
    "date": "2025-03-01",
    "items": [
        {
            "weight": "1.30",
            "length": 10,
            "width": 10,
            "height": 10,
            "quantity": 1,
            "value": "250000",
        }
    ],
}


@pytest.fixture(scope="session")
def api(region_db: tuple[Engine, object], tmp_path_factory: pytest.TempPathFactory) -> tuple:
    app = make_app(str(region_db[0].url), Path(tmp_path_factory.mktemp("api")))
    return app, seed(app.state.hub.session_factory)


@pytest.fixture
def as_(api: tuple, db: Session) -> Iterator[Callable[[str | None], TestClient]]:
    """``as_("owner")``, ``as_("r1")``, ``as_(None)``: a client signed in as that principal."""
    app, auth = api
    clients: list[TestClient] = []

    def make(who: str | None) -> TestClient:
        headers = {**auth.headers.get(who or "", {}), "Accept-Language": "en"}
        c = TestClient(app, headers=headers, cookies=auth.cookies.get(who or "", {}))
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def test_import_then_quote(as_: Callable[[str | None], TestClient]) -> None:
    r = as_("inventory").post(
        "/api/v1/shipping/ratecards", files={"file": ("c.csv", GOOD.encode())}
    )
    assert r.status_code == 200, r.text
    assert r.json()["replaced_from"]["JNE REG"] == "2025-01-01"
    r = as_("r1").post("/api/v1/shipping/quote", json=QUOTE)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["destination"]["level"] == "district" and data["count"] == 5
    assert data["source"] == "rate card"
    reg = next(o for o in data["data"] if o["service"] == "REG" and o["courier"] == "JNE")
    assert reg["chargeable_weight"] == "1" and reg["fee"] == "12500"
    totals = [Decimal(o["total"]) for o in data["data"]]
    assert totals == sorted(totals)


def test_guards(as_: Callable[[str | None], TestClient]) -> None:
    assert as_(None).post("/api/v1/shipping/quote", json=QUOTE).status_code == 401
    r = as_("r1").post("/api/v1/shipping/ratecards", files={"file": ("c.csv", GOOD.encode())})
    assert r.status_code == 403
    r = as_("marketing").post(
        "/api/v1/shipping/warehouses",
        json={"code": "BDG", "name": "Bandung", "region_kode": "32.73"},
    )
    assert r.status_code == 403


def test_bad_rate_card_is_refused_with_rows(as_: Callable[[str | None], TestClient]) -> None:
    bad = f"{HEADER}\nJNE,REG,32.73,35.78,-1,1,2,3,2025-01-01,\n"
    r = as_("owner").post("/api/v1/shipping/ratecards", files={"file": ("c.csv", bad.encode())})
    assert r.status_code == 422
    assert r.json()["error"] == "RateCardRejected"
    assert [p["message"] for p in r.json()["problems"]] == ["row 2, price_per_kg: -1 is negative"]


def test_quote_errors_are_422(as_: Callable[[str | None], TestClient]) -> None:
    c = as_("r2")
    r = c.post("/api/v1/shipping/quote", json={"origin": "32.73", "items": [{"weight": 1}]})
    assert r.status_code == 422
    r = c.post(
        "/api/v1/shipping/quote",
        json={"origin": "32.73", "destination": "77.77", "items": [{"weight": 1}]},
    )
    assert r.status_code == 422 and "unknown kemendagri region code" in r.text


def test_region_search(as_: Callable[[str | None], TestClient]) -> None:
    c = as_("r1")
    r = c.get("/api/v1/regions", params={"q": "surabaya", "level": 2})
    assert [d["kode"] for d in r.json()["data"]] == ["35.78"]
    r = c.get("/api/v1/regions", params={"postal_code": "40111"})
    assert r.json()["count"] >= 1 and all(d["level"] == "village" for d in r.json()["data"])
    assert c.get("/api/v1/regions").status_code == 422


def test_warehouse_is_an_origin(as_: Callable[[str | None], TestClient]) -> None:
    staff = as_("inventory")
    assert (
        staff.post(
            "/api/v1/shipping/ratecards", files={"file": ("c.csv", GOOD.encode())}
        ).status_code
        == 200
    )
    r = staff.post(
        "/api/v1/shipping/warehouses",
        json={"code": "BDG-1", "name": "Gudang Bandung", "region_kode": "32.73.01"},
    )
    assert r.status_code == 201, r.text
    assert (
        staff.post(
            "/api/v1/shipping/warehouses",
            json={"code": "BDG-1", "name": "again", "region_kode": "32.73"},
        ).status_code
        == 409
    )
    assert (
        staff.post(
            "/api/v1/shipping/warehouses",
            json={"code": "X", "name": "nowhere", "region_kode": "99.99"},
        ).status_code
        == 422
    )
    reseller = as_("r1")
    assert [w["code"] for w in reseller.get("/api/v1/shipping/warehouses").json()["data"]] == [
        "BDG-1"
    ]
    # the new warehouse is quotable at once (the cache is told), from its district's regency cards
    r = reseller.post("/api/v1/shipping/quote", json={**QUOTE, "origin": "BDG-1"})
    assert r.status_code == 200 and r.json()["origin"]["kode"] == "32.73.01", r.text
    assert r.json()["count"] == 5


def test_addresses_are_scoped_to_their_reseller(as_: Callable[[str | None], TestClient]) -> None:
    staff = as_("inventory")
    r = staff.post(
        "/api/v1/resellers/r1/addresses",
        json={"label": "toko", "street": "Jl. Braga 1", "region_kode": "32.73.01"},
    )
    assert r.status_code == 201, r.text
    r = staff.post(
        "/api/v1/resellers/r2/addresses", json={"postal_code": "60111", "is_default": True}
    )
    assert r.status_code == 201, r.text
    assert r.json()["region_kode"].startswith("35.78") and r.json()["is_default"]
    r = staff.post("/api/v1/resellers/nobody/addresses", json={"region_kode": "32.73"})
    assert r.status_code == 404 and "no reseller" in r.text
    assert (
        as_("r1").post("/api/v1/resellers/r1/addresses", json={"region_kode": "32.73"}).status_code
        == 403
    )

    assert staff.get("/api/v1/shipping/addresses").json()["count"] == 2
    mine = as_("r1").get("/api/v1/shipping/addresses").json()["data"]
    assert [a["reseller_id"] for a in mine] == ["r1"]
    # asking for another reseller's list never shows it
    assert (
        as_("r1").get("/api/v1/shipping/addresses", params={"reseller_id": "r2"}).json()["count"]
        == 0
    )
    assert as_("r1").get("/api/v1/resellers/r2/addresses").status_code == 404
    assert as_("r2").get("/api/v1/resellers/r2/addresses").json()["count"] == 1


def test_territories(as_: Callable[[str | None], TestClient]) -> None:
    owner = as_("owner")
    for kode in ("32.73", "35.78.01", "32.73"):
        r = owner.post("/api/v1/resellers/r1/territories", json={"region_kode": kode})
        assert r.status_code == 201, r.text
    assert [t["kode"] for t in r.json()["data"]] == ["32.73", "35.78.01"]
    assert (
        owner.post(
            "/api/v1/resellers/r1/territories", json={"region_kode": "32.73.01.1001"}
        ).status_code
        == 422
    )
    assert (
        as_("inventory")
        .post("/api/v1/resellers/r1/territories", json={"region_kode": "32"})
        .status_code
        == 403
    )
    got = as_("r1").get("/api/v1/resellers/r1/territories").json()
    assert got["count"] == 2 and got["data"][0]["level"] == "regency"
    assert as_("r2").get("/api/v1/resellers/r1/territories").status_code == 404


def test_live_provider_from_settings_with_fallback(
    api: tuple, db: Session, fake: FakeProvider, tmp_path: Path
) -> None:
    """SYNCHUB_SHIPPING_LIVE_URL wires the live provider into the quote route; failures fall back."""
    _, auth = api
    app = make_app(
        str(db.get_bind().url),
        tmp_path,
        shipping_live_url=(f"http://127.0.0.1:{fake.server_address[1]}"),
        shipping_live_token="k-123",
    )
    staff = TestClient(app, headers=auth.headers["owner"], cookies=auth.cookies["owner"])
    assert (
        staff.post(
            "/api/v1/shipping/ratecards", files={"file": ("c.csv", GOOD.encode())}
        ).status_code
        == 200
    )
    reseller = TestClient(app, headers=auth.headers["r1"])
    live = reseller.post("/api/v1/shipping/quote", json=QUOTE).json()
    assert live["source"] == "live" and [
        (o["courier"], o["service"], o["fee"]) for o in live["data"]
    ] == [("JNE", "REG", "19000")]
    assert fake.last_key == "k-123"
    fake.mode = "error"
    fallback = reseller.post(
        "/api/v1/shipping/quote", json={**QUOTE, "items": [{"weight": "2.5"}]}
    ).json()
    assert fallback["source"] == "rate card" and fallback["count"] == 5
    assert (
        "live rates unavailable" in fallback["notices"][0] and "HTTP 503" in fallback["notices"][0]
    )
    staff.close()
    reseller.close()


def test_absurd_numbers_are_422_not_500(as_: Callable[[str | None], TestClient]) -> None:
    huge = {"weight": "1e999999", "length": "1e999999", "width": "1e999999", "height": 2}
    r = as_("r1").post("/api/v1/shipping/quote", json={**QUOTE, "items": [huge]})
    assert r.status_code == 422 and "less than or equal" in r.text
