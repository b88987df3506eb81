"""The purchasing API as docs/purchasing.md describes it, from a supplier to its paid invoice.

Signed in as the roles the guide names: purchasing buys, inventory receives, finance pays.
A reseller sees none of it (costs stay inside the hub).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.catalog.models import Product
from hub.core.db import transaction
from hub.core.roles import Role
from hub.shipping.models import Warehouse
from tests.hub.web.webkit import Seeded, seed

API = "/api/v1/purchasing"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    hub = seed(Path(tmp_path_factory.mktemp("purchasing-api")))
    with transaction(hub.app.state.hub.session_factory) as s:
        s.add(Warehouse(code="JKT", name="Gudang Jakarta", region_kode="31.71"))
        s.add(Product(sku="SSD-1TB", name="SSD 1 TB", list_price=1_500_000, serialised=True))
        s.add(Product(sku="KABEL", name="Kabel LAN", list_price=20_000))
    return hub


def test_supplier_to_paid_invoice_through_the_api(hub: Seeded) -> None:
    buyer, store, finance = (
        hub.client(Role.PURCHASING),
        hub.client(Role.INVENTORY),
        hub.client(Role.FINANCE),
    )
    r = buyer.post(
        f"{API}/suppliers",
        json={
            "code": "acme",
            "legal_name": "PT Acme Indonesia",
            "npwp": "01.234.567.8-901.000",
            "email": "sales@acme.co.id",
            "payment_terms_days": 30,
            "lead_time_days": 10,
            "contacts": [{"name": "Sari", "role": "sales", "phone": "+62811"}],
        },
    )
    assert r.status_code == 201, r.text
    supplier = r.json()
    assert (supplier["code"], supplier["npwp"], supplier["contacts"][0]["name"]) == (
        "ACME",
        "012345678901000",
        "Sari",
    )
    r = buyer.put(
        f"{API}/suppliers/{supplier['id']}/products",
        json={
            "items": [
                {"sku": "SSD-1TB", "supplier_code": "AC-SSD", "unit_cost": "1000000.00"},
                {"sku": "KABEL", "unit_cost": "10000", "order_multiple": 50},
            ]
        },
    )
    assert r.status_code == 200 and r.json()["count"] == 2, r.text
    warehouse = 1
    r = buyer.post(
        f"{API}/orders",
        json={
            "supplier_id": supplier["id"],
            "warehouse_id": warehouse,
            "lines": [{"sku": "SSD-1TB", "quantity": 2}, {"sku": "KABEL", "quantity": 100}],
        },
    )
    assert r.status_code == 201, r.text
    po = r.json()
    assert (po["state"], po["total"]) == ("draft", "3000000.00")
    for event in ("approve", "send"):
        r = buyer.post(f"{API}/orders/{po['id']}/events/{event}")
        assert r.status_code == 200, r.text
    assert r.json()["state"] == "sent" and r.json()["sent_to"] == "sales@acme.co.id"
    pdf = buyer.get(f"{API}/orders/{po['id']}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    lines = {ln["product_id"]: ln["id"] for ln in po["lines"]}
    ssd, kabel = sorted(lines)
    # more cables than ordered without a reason: refused, nothing moves
    over = {"lines": [{"order_line_id": lines[kabel], "quantity": 120}]}
    r = store.post(f"{API}/orders/{po['id']}/receipts", json=over)
    assert r.status_code == 409 and r.json()["error"] == "OverReceipt", r.text
    r = store.post(
        f"{API}/orders/{po['id']}/receipts",
        json={
            "lines": [
                {"order_line_id": lines[ssd], "quantity": 2, "serials": ["SN-1", "SN-2"]},
                {
                    "order_line_id": lines[kabel],
                    "quantity": 120,
                    "reason": "bonus roll from the supplier",
                },
            ],
            "freight": "60000",
        },
    )
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["state"] == "posted" and receipt["number"].startswith("GRN-")
    # freight 60.000 split by value 2.000.000 : 1.200.000
    assert [ln["landed_total"] for ln in receipt["lines"]] == ["2037500.00", "1222500.00"]
    assert buyer.get(f"{API}/orders/{po['id']}").json()["state"] == "received"
    val = finance.get(f"{API}/valuation").json()
    assert {r["sku"]: r["average_cost"] for r in val["data"]} == {
        "SSD-1TB": "1018750.0000",
        "KABEL": "10187.5000",
    }
    r = finance.post(
        f"{API}/invoices",
        json={
            "order_id": po["id"],
            "number": "ACM/INV/0042",
            "invoice_date": "2026-12-01",
            "lines": [
                {"order_line_id": lines[ssd], "quantity": 2, "unit_price": "1000000"},
                {"order_line_id": lines[kabel], "quantity": 100, "unit_price": "10000"},
            ],
            "tax": "330000",
            "total": "3330000",
        },
    )
    assert r.status_code == 201, r.text
    inv = r.json()
    assert (inv["state"], inv["due_on"], inv["problems"]) == ("matched", "2026-12-31", [])
    assert finance.post(f"{API}/invoices/{inv['id']}/events/approve").status_code == 200
    r = finance.post(
        f"{API}/invoices/{inv['id']}/payments",
        json={"amount": "3330000", "paid_on": "2026-12-20", "reference": "BCA 123"},
    )
    assert r.status_code == 201 and r.json()["state"] == "paid", r.text
    ageing = finance.get(f"{API}/payables/ageing", params={"as_of": "2026-12-31"}).json()
    assert ageing["totals"]["total"] == "0.00"


def test_roles_and_validation(hub: Seeded) -> None:
    reseller = hub.client(Role.RESELLER, "r1")
    for path in (
        "/suppliers",
        "/orders",
        "/invoices",
        "/valuation",
        "/reorder",
        "/payables/ageing",
    ):
        assert reseller.get(f"{API}{path}").status_code == 403, path
    assert hub.token_client("r1").get(f"{API}/suppliers").status_code == 403
    store = hub.client(Role.INVENTORY)
    assert store.post(f"{API}/suppliers", json={"code": "X", "legal_name": "X"}).status_code == 403
    buyer = hub.client(Role.PURCHASING)
    indonesian = hub.client(Role.PURCHASING)
    indonesian.headers["Accept-Language"] = "id"  # the API answers in the caller's language
    r = indonesian.post(
        f"{API}/suppliers", json={"code": "BAD", "legal_name": "PT Bad", "npwp": "123"}
    )
    assert r.status_code == 422 and r.json()["message"] == "NPWP '123' bukan 15 atau 16 digit"
    assert buyer.post(f"{API}/orders/999999/events/approve").status_code == 404
    assert (
        buyer.post(f"{API}/orders/1/events/teleport")
        .json()["message"]
        .startswith("unknown purchase order event")
    )
    assert buyer.get(f"{API}/reorder").status_code == 200


def test_levels_and_low_stock(hub: Seeded) -> None:
    store = hub.client(Role.INVENTORY)
    with hub.app.state.hub.session_factory() as s:
        kabel = s.query(Product).filter_by(sku="KABEL").one().id
    r = store.put(
        f"{API}/levels",
        json={"warehouse_id": 1, "product_id": kabel, "reorder_point": 500, "reorder_up_to": 1000},
    )
    assert r.status_code == 200, r.text
    low = store.get(f"{API}/low-stock").json()
    assert [(r["sku"], r["on_hand"], r["suggested"]) for r in low["data"]] == [("KABEL", 120, 880)]
    plan = hub.client(Role.PURCHASING).get(f"{API}/reorder").json()
    assert [(ln["sku"], ln["quantity"], ln["supplier_code"]) for ln in plan["data"]] == [
        ("KABEL", 900, "ACME")
    ]  # 880 → multiple of 50
