"""Acceptance 3: resellers see only their own offers (API); the signed offers file verifies at the agent."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from hub import app as hub_app
from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.keys import HubKeys
from hub.core.roles import Role
from hub.offers import service
from hub.offers.models import SalesDaily, StockFact
from shared.errors import SealTampered
from shared.messages import parse_payload, verify_message
from tests.hub.web.webkit import seed

AT = dt.datetime.now(dt.timezone.utc)  # publishing (API) happens "now": offers must still be valid


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    # only the routers this test needs: other capabilities' routes are tested by their owners
    monkeypatch.setattr(
        hub_app, "ROUTERS", [("hub.catalog.routes", "router"), ("hub.offers.routes", "router")]
    )
    app = seed(tmp_path)
    with app.app.state.hub.session_factory() as s, s.begin():
        a = Product(sku="A", name="Alpha", list_price=Decimal("100"), pack_size=10)
        b = Product(sku="B", name="Bravo", list_price=Decimal("50"), pack_size=1)
        s.add_all([a, b])
        s.flush()
        pl = PriceList(name="general")
        s.add(pl)
        s.flush()
        s.add_all(
            [
                PriceListItem(
                    price_list_id=pl.id, product_id=a.id, min_quantity=1, unit_price=Decimal("90")
                ),
                PriceListItem(
                    price_list_id=pl.id, product_id=b.id, min_quantity=1, unit_price=Decimal("45")
                ),
            ]
        )
        for rid, pid, sold, on_hand in (("r1", a.id, 56, 4), ("r2", b.id, 28, 0)):
            s.add(
                SalesDaily(
                    reseller_id=rid,
                    product_id=pid,
                    day=AT.date() - dt.timedelta(days=10),
                    quantity=sold,
                )
            )
            s.add(StockFact(reseller_id=rid, product_id=pid, on_hand=on_hand))
        s.flush()
        summary = service.compute(s, at=AT, hub_stock=lambda _s: {a.id: 1000, b.id: 1000})
        assert summary.offers["replenishment"] == 2
    return app


def test_reseller_sees_only_its_published_offers_and_file_verifies(seeded):
    ops = seeded.client(Role.OPERATIONS)
    drafts = ops.get("/api/v1/offers", params={"status": "draft"}).json()["data"]
    assert {o["reseller_id"] for o in drafts} == {"r1", "r2"}
    r1_offer = next(o for o in drafts if o["reseller_id"] == "r1")
    # r1: 2/day, 4 in stock → cover 2 days; 30 days need 56 → packs of 10 → 60, at 90.00 each
    assert r1_offer["quantity"] == 60 and Decimal(r1_offer["unit_price"]) == Decimal("90.00")
    assert "general" in r1_offer["price_rule"]
    assert (
        seeded.token_client("r1").get("/api/v1/offers").json()["count"] == 0
    )  # drafts are not shown
    assert (
        ops.post(
            "/api/v1/offers/decide", json={"ids": [o["id"] for o in drafts], "action": "approve"}
        ).status_code
        == 200
    )
    assert ops.post("/api/v1/offers/publish").json() == {"resellers": ["r1", "r2"]}

    for client in (seeded.token_client("r1"), seeded.client(Role.RESELLER, "r1")):
        mine = client.get("/api/v1/offers").json()["data"]
        assert [o["reseller_id"] for o in mine] == ["r1"]
        other = next(o for o in drafts if o["reseller_id"] == "r2")
        assert client.get(f"/api/v1/offers/{other['id']}").status_code == 404
        assert client.get(f"/api/v1/offers/{mine[0]['id']}").status_code == 200
        assert (
            client.post(
                "/api/v1/offers/decide", json={"ids": [other["id"]], "action": "drop"}
            ).status_code
            == 403
        )

    settings = seeded.app.state.hub.settings
    keys = HubKeys.load_or_create(settings.keys_dir)
    (path,) = (settings.sftp_root / "r1" / "outbox").glob("offers-*.json")
    payload = verify_message(path.read_bytes(), keys.signing_key.public_key())
    doc = parse_payload(payload)
    assert doc.reseller_id == "r1" and [o["sku"] for o in doc.offers] == ["A"]
    assert doc.offers[0]["quantity"] == 60 and doc.offers[0]["unit_price"] == "90.00"
    tampered = json.loads(path.read_bytes())
    tampered["payload"]["offers"][0]["unit_price"] = "1.00"
    with pytest.raises(SealTampered):
        verify_message(json.dumps(tampered).encode(), keys.signing_key.public_key())


def test_accepting_an_offer_counts_in_conversion(seeded):
    from hub.offers import workflow

    ops = seeded.client(Role.OPERATIONS)
    drafts = ops.get("/api/v1/offers").json()["data"]
    ops.post("/api/v1/offers/decide", json={"ids": [o["id"] for o in drafts], "action": "approve"})
    ops.post("/api/v1/offers/publish")
    with seeded.app.state.hub.session_factory() as s, s.begin():
        workflow.mark_accepted(s, drafts[0]["id"], order_id=77)
    conv = {(c["reseller_id"], c["kind"]): c for c in ops.get("/api/v1/offers/conversion").json()}
    assert conv[(drafts[0]["reseller_id"], "replenishment")]["accepted"] == 1
    assert Decimal(conv[(drafts[0]["reseller_id"], "replenishment")]["rate"]) == Decimal("1.000")
    assert seeded.token_client("r1").get("/api/v1/offers/conversion").status_code == 403
