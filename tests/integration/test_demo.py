"""The README's first command: the demo pushes real snapshots, merges them, and leaves a hub
that is ready to sell, every capability with data made through its own services.

One ``synchub demo --no-serve`` run (session fixture ``demo_run``) is read twice: its output
as the user sees it, and its hub through the HTTP API, signed in with the printed logins.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from hub.core.roles import STAFF, Role
from hub.demo.localize import NORTHWIND_REVENUE, RUPIAH_PER_DOLLAR
from tests.integration.demokit import DemoRun, signed_in

ORDER_STATES = ("awaiting_payment", "paid", "packed", "shipped", "delivered", "expired")


def test_demo_pushes_and_merges_northwind_in_rupiah(demo_run: DemoRun) -> None:
    assert demo_run.returncode == 0, demo_run.stdout + demo_run.stderr
    out = demo_run.stdout
    assert "registered 3; 3 applied" in out and "1 applied, 1 quarantined" in out
    # Both full-range shops arrive complete: Northwind's revenue, in Rupiah, grouped the Indonesian way.
    rupiah = f"{(NORTHWIND_REVENUE * RUPIAH_PER_DOLLAR).quantize(Decimal(1)):,}".replace(",", ".")
    assert out.count(f"revenue Σ UnitPrice·Quantity·(1−Discount) = Rp {rupiah}") == 2
    assert "Order_Details            2155 rows" in out
    # A day later the SQLite shop's agent pushes again: the hub keeps both versions of product #1.
    assert (
        "Products #1 Chai: price 270000, stock 39" in out
        and "Products #1 Chai: price 285000, stock 32" in out
    )
    assert "Traceback" not in demo_run.stderr


def test_demo_prints_a_login_per_role_with_what_to_try(demo_run: DemoRun) -> None:
    roles = Counter(x.role for x in demo_run.logins)
    assert {r.value for r in STAFF} <= set(roles), roles
    assert roles[Role.RESELLER_ADMIN.value] == 3
    assert (
        demo_run.stdout.count("      coba: ")
        == demo_run.stdout.count("      try:  ")
        == len(demo_run.logins)
    )


@pytest.fixture(scope="module")
def api(demo_run: DemoRun):  # type: ignore[no-untyped-def]
    assert demo_run.returncode == 0, demo_run.stdout + demo_run.stderr
    app = demo_run.app()

    def client(role: str) -> TestClient:
        return signed_in(app, demo_run.login(role))

    return client


def test_every_capability_has_data_through_the_api(api, demo_run: DemoRun) -> None:  # type: ignore[no-untyped-def]
    ops, owner = api("operations"), api("owner")
    # Sync: three resellers applied, one snapshot quarantined with a reason a person reads.
    quarantined = ops.get("/api/v1/snapshots", params={"status": "quarantined"}).json()["data"]
    assert len(quarantined) == 1 and "signature" in quarantined[0]["reason"]
    # Offers: the nightly run found every kind; some published, the rest waiting for review.
    offers = ops.get("/api/v1/offers").json()["data"]
    kinds = Counter(o["kind"] for o in offers)
    assert all(kinds[k] > 0 for k in ("replenishment", "range", "clearance")), kinds
    status = Counter(o["status"] for o in offers)
    assert status["draft"] > 0 and status["published"] + status["accepted"] > 0, status
    # Orders in every state.
    for state in ORDER_STATES:
        found = ops.get("/api/v1/orders", params={"state": state}).json()["data"]
        assert found, f"no {state} order"
    # One transfer proof waits for finance.
    assert api("finance").get("/api/v1/payments/queue").json()["count"] == 1
    # Catalog imported and matched; a suggestion left for review; stock for every product.
    products = ops.get("/api/v1/catalog/products", params={"limit": 500}).json()
    assert products["count"] == 77
    assert ops.get("/api/v1/catalog/matching/queue").json()["count"] > 0
    stock = api("inventory").get("/api/v1/inventory").json()["data"]
    assert len(stock) == 77 and all(i["on_hand"] > 0 for i in stock)
    # Pricing: a group price with a promotion for a reseller of the group.
    promoted = next(p for p in products["data"] if p["sku"] == "NW-0043")
    quote = ops.get(f"/api/v1/catalog/prices/toko-maju/{promoted['id']}").json()
    assert quote["promotion_id"] and Decimal(quote["unit_price"]) < Decimal(quote["base_price"])
    # Shipping: regions, the warehouse and the rate card give a JNE fee to each reseller's city.
    fee = ops.post(
        "/api/v1/shipping/quote",
        json={"origin": "JKT", "destination": "31.74", "items": [{"weight": "2.5"}]},
    ).json()
    assert {o["courier"] for o in fee["data"]} == {"JNE"} and fee["count"] == 3
    # Purchasing: a supplier, a received order, an awaited one, a booked invoice.
    buyer = api("purchasing")
    pos = Counter(po["state"] for po in buyer.get("/api/v1/purchasing/orders").json()["data"])
    assert pos["received"] == 1 and pos["sent"] == 1, pos
    invoices = buyer.get("/api/v1/purchasing/invoices").json()["data"]
    assert invoices and Decimal(invoices[0]["paid"]) > 0
    # Warranty: a claim per reseller on its delivered serialised unit, at each desk step.
    claims = api("repair").get("/api/v1/warranty/claims").json()["data"]
    assert sorted(c["state"] for c in claims) == ["inspected", "received", "submitted"]
    # People: a user per printed login.
    users = {u["username"] for u in owner.get("/api/v1/users").json()["data"]}
    assert {x.username for x in demo_run.logins} <= users


# Every action the demo takes is audited by the service that did it (nothing written around
# the services): action -> least number of entries.
AUDITED = {
    "user.create": 9,  # the owner is made by the hub itself, like `synchub user add`
    "catalog.import": 1,
    "match.link": 1,
    "reseller_group.create": 1,
    "price_list.create": 2,
    "promotion.create": 1,
    "supplier.create": 1,
    "purchase_order.approve": 2,
    "purchase_order.send": 2,
    "receipt.post": 1,
    "supplier_invoice.register": 1,
    "offer.approve": 1,
    "offer.publish": 1,
    "order.create": 8,
    "order.place": 8,
    "payment.submit": 7,
    "payment.confirm": 6,
    "order.pay_full": 6,
    "order.pack": 5,
    "order.ship": 4,
    "order.deliver": 3,
    "order.expire": 1,
    "warranty.file": 3,
    "warranty.receive": 2,
    "warranty.inspect": 1,
}


def test_the_audit_log_holds_each_demo_action(api) -> None:  # type: ignore[no-untyped-def]
    owner = api("owner")
    missing = {}
    for action, least in AUDITED.items():
        count = owner.get("/api/v1/audit", params={"action": action, "limit": 1}).json()["count"]
        if count < least:
            missing[action] = count
    assert not missing, f"audit entries below what the demo did: {missing}"
