"""Stock from the warehouse's seat: receipts (by hand and by file), adjustments with reasons,
the per-warehouse stock page with low-stock marks, and orders shipped from a warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.catalog.models import Product
from hub.core.roles import Role
from hub.inventory.models import Bin, StockItem
from hub.orders.models import Order
from tests.hub.offers.test_pages import seed_offers
from tests.hub.orders.test_pages import PNG, place, proof_form
from tests.hub.web.backoffice_kit import _confirm, add_regions
from tests.hub.web.webkit import Seeded, audit_count, english, last_audit, seed


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    hub = seed(tmp_path)
    hub.offers = seed_offers(hub.app)  # type: ignore[attr-defined]  # A and B, 1000 each, no warehouse
    add_regions(hub)
    owner = hub.client(Role.OWNER)
    for code in ("BDG", "JKT"):
        r = owner.post(
            "/api/v1/warehouses", json={"code": code, "name": f"Gudang {code}", "region": "32.73"}
        )
        assert r.status_code == 201, r.text
    return hub


def levels(hub: Seeded, sku: str) -> tuple[int, dict[int, int]]:
    with hub.app.state.hub.session_factory() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == sku))
        total = s.get(StockItem, pid).on_hand
        by = dict(
            s.execute(select(Bin.warehouse_id, Bin.on_hand).where(Bin.product_id == pid)).all()
        )
    return total, by


def test_receiving_stock_on_the_page_raises_the_warehouse_and_the_hub(hub: Seeded) -> None:
    clerk = hub.client(Role.INVENTORY)  # Indonesian: 1.200 is twelve hundred
    page = clerk.get("/stock").text
    assert 'id="unassigned"' in page and "2.000" in page  # the seed's stock has no warehouse
    form = clerk.get("/stock-receipts/new?warehouse=BDG").text
    assert '<option value="BDG" selected>' in form
    before = audit_count(hub)
    r = clerk.post(
        "/stock-receipts/new",
        data={
            "warehouse": "BDG",
            "sku": "A",
            "quantity": "1.200",
            "reason": "purchase",
            "reference": "SJ-0042",
        },
    )
    assert r.status_code == 303, r.text
    assert audit_count(hub) == before + 1 and last_audit(hub).action == "stock_receipt.create"
    total, by = levels(hub, "A")
    assert total == 2200 and by == {1: 1200}
    stock = english(hub, Role.INVENTORY).get("/stock", params={"warehouse": "BDG", "q": "A"}).text
    assert '<td class="num">1,200</td>' in stock
    wrong = clerk.post(
        "/stock-receipts/new", data={"warehouse": "BDG", "sku": "NOPE", "quantity": "0"}
    )
    assert (
        wrong.status_code == 422
        and 'id="error-quantity"' in wrong.text
        and 'value="NOPE"' in wrong.text
    )
    wrong = clerk.post(
        "/stock-receipts/new", data={"warehouse": "BDG", "sku": "NOPE", "quantity": "2"}
    )
    assert wrong.status_code == 422 and 'id="error-sku"' in wrong.text
    assert clerk.get("/stock-receipts/1").status_code in (404, 405)  # a receipt is never edited


def test_a_file_of_receipts_books_them_all_at_once_or_none(hub: Seeded) -> None:
    clerk = english(hub, Role.INVENTORY)
    lines = ["warehouse,sku,quantity,reason,reference"] + [
        f"{'BDG' if n % 2 else 'JKT'},{'A' if n % 3 else 'B'},{n},purchase,SJ-{n:03d}"
        for n in range(1, 39)
    ]
    r = clerk.post(
        "/stock-receipts/import", files={"file": ("sj.csv", "\n".join(lines).encode(), "text/csv")}
    )
    assert r.status_code == 200 and '<span id="n-created">38</span>' in r.text
    assert levels(hub, "A")[1] == {}  # the preview booked nothing
    upload = r.text.split("/stock-receipts/import/")[1].split("/apply")[0]
    before = audit_count(hub)
    done = clerk.post(f"/stock-receipts/import/{upload}/apply")
    assert done.status_code == 200 and 'id="import-done"' in done.text
    assert audit_count(hub) == before + 1 and last_audit(hub).after["created"] == 38
    a_total, a_by = levels(hub, "A")
    expected = [n for n in range(1, 39) if n % 3]
    assert a_total == 1000 + sum(expected) and sum(a_by.values()) == sum(expected)
    bad = "warehouse,sku,quantity\nBDG,A,5\nXXX,A,1\nBDG,A,-3\n"
    r = clerk.post("/stock-receipts/import", files={"file": ("bad.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422 and "unknown choice XXX" in r.text and 'id="confirm"' not in r.text


def test_adjustments_need_a_reason_and_never_take_more_than_is_there(hub: Seeded) -> None:
    clerk = english(hub, Role.INVENTORY)
    clerk.post("/stock-receipts/new", data={"warehouse": "BDG", "sku": "B", "quantity": "10"})
    no_reason = clerk.post(
        "/stock-adjustments/new", data={"warehouse": "BDG", "sku": "B", "quantity": "-2"}
    )
    assert no_reason.status_code == 422 and 'id="error-reason"' in no_reason.text
    too_many = clerk.post(
        "/stock-adjustments/new",
        data={"warehouse": "BDG", "sku": "B", "quantity": "-11", "reason": "lost"},
    )
    assert (
        too_many.status_code == 422 and "the warehouse holds 10, it cannot give 11" in too_many.text
    )
    ok = clerk.post(
        "/stock-adjustments/new",
        data={
            "warehouse": "BDG",
            "sku": "B",
            "quantity": "-2",
            "reason": "damaged",
            "note": "dus basah",
        },
    )
    assert ok.status_code == 303
    assert levels(hub, "B") == (1008, {1: 8})
    assert last_audit(hub).action == "stock_adjustment.create"
    listing = clerk.get("/stock-adjustments?warehouse=BDG").text
    assert "damaged" in listing and "-2" in listing


def test_low_stock_marks_and_the_low_only_filter(hub: Seeded) -> None:
    clerk = english(hub, Role.INVENTORY)
    clerk.post("/stock-receipts/new", data={"warehouse": "BDG", "sku": "A", "quantity": "5"})
    r = clerk.post(
        "/stock/reorder-point", data={"warehouse": "BDG", "sku": "A", "reorder_point": "5"}
    )
    assert r.status_code == 303 and last_audit(hub).action == "stock.reorder_point"
    page = clerk.get("/stock", params={"warehouse": "BDG"}).text
    assert 'id="stock-A" class="stock-low"' in page and 'id="stock-B" class="stock-out"' in page
    low = clerk.get("/stock", params={"warehouse": "BDG", "low": "true"}).text
    assert 'id="stock-A"' in low
    clerk.post("/stock-receipts/new", data={"warehouse": "BDG", "sku": "A", "quantity": "1"})
    low = clerk.get("/stock", params={"warehouse": "BDG", "low": "true"}).text
    assert 'id="stock-A"' not in low and 'id="stock-B"' in low
    bad = clerk.post(
        "/stock/reorder-point", data={"warehouse": "BDG", "sku": "A", "reorder_point": "lima"}
    )
    assert bad.status_code == 422 and "is not a number" in bad.text


def test_an_order_ships_from_the_warehouse_that_holds_it(hub: Seeded) -> None:
    clerk = english(hub, Role.INVENTORY)
    clerk.post("/stock-receipts/new", data={"warehouse": "JKT", "sku": "A", "quantity": "30"})
    oid = place(hub)  # 10 A
    _confirm(hub, oid)
    assert clerk.post(f"/fulfilment/{oid}/pack").status_code == 200
    page = clerk.get("/fulfilment").text
    assert '<option value="JKT" selected>' in page.split(f'id="ship-{oid}"')[1]
    wrong = clerk.post(
        f"/fulfilment/{oid}/ship", data={"courier": "JNE", "waybill": "W1", "warehouse": "BDG"}
    )
    assert wrong.status_code == 409 and "does not hold the order" in wrong.text
    ok = clerk.post(
        f"/fulfilment/{oid}/ship", data={"courier": "JNE", "waybill": "W1", "warehouse": "JKT"}
    )
    assert ok.status_code == 200, ok.text
    assert levels(hub, "A") == (1020, {2: 20})
    with hub.app.state.hub.session_factory() as s:
        assert s.get(Order, oid).shipped_from == "JKT"
    assert PNG and proof_form  # the order was paid through the real proof form (_confirm)


def test_the_count_and_the_pager_say_how_many_match(hub: Seeded) -> None:
    """Counted apart only when needed (a search that fits one page counts its rows): the same
    figure either way, with low-only, searches and a page past the first."""
    with hub.app.state.hub.session_factory() as s, s.begin():
        s.add_all(
            Product(sku=f"KABEL-{n:03}", name=f"Kabel {n}", list_price=1000) for n in range(120)
        )
    clerk = english(hub, Role.INVENTORY)

    def shown(**params: str) -> tuple[str, list[str]]:
        page = clerk.get("/stock", params={"warehouse": "BDG", **params}).text
        count = re.search(r'<p id="count">([^<]*)</p>', page).group(1)  # type: ignore[union-attr]
        return count, re.findall(r'id="stock-([^"]+)"', page)

    assert shown()[0] == "122 products"  # A, B and 120 cables
    count, rows = shown(q="kabel", page="3")
    assert count == "120 products" and rows == [f"KABEL-{n:03}" for n in range(100, 120)]
    assert shown(q="kabel-007") == ("1 product", ["KABEL-007"])
    count, rows = shown(low="true")
    assert count == "122 products" and len(rows) == 50  # nothing in BDG: every product is out
