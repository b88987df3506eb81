"""The purchasing pages from a staff seat: a supplier, an order, receiving with a serial and
an over-receipt refused then explained, the invoice booked and paid, reorder and stock pages;
every string of the pages translated (Indonesian) and a refused form keeps what was typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.catalog.models import Product
from hub.core.db import transaction
from hub.core.i18n import catalogue
from hub.core.roles import Role
from hub.inventory import bins, serials
from hub.purchasing import pages, pages_money, web
from hub.shipping.models import Warehouse
from tests.hub.purchasing.errortexts import fixed_texts
from tests.hub.purchasing.msgids import missing, template_ids
from tests.hub.web.webkit import Seeded, seed


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    hub = seed(Path(tmp_path_factory.mktemp("purchasing-pages")))
    with transaction(hub.app.state.hub.session_factory) as s:
        s.add(Warehouse(code="JKT", name="Gudang Jakarta", region_kode="31.71"))
        s.add(Product(sku="SSD-1TB", name="SSD 1 TB", list_price=1_500_000, serialised=True))
        s.add(Product(sku="KABEL", name="Kabel LAN", list_price=20_000))
    return hub


def _ok(r, where: str):  # ANN001, ANN202
    assert r.status_code in (200, 303), f"{where}: {r.status_code} {r.text[:600]}"
    return r


def test_a_buyer_and_the_warehouse_and_finance_work_through_the_pages(hub: Seeded) -> None:
    buyer, store, finance = (
        hub.client(Role.PURCHASING),
        hub.client(Role.INVENTORY),
        hub.client(Role.FINANCE),
    )
    r = buyer.post(
        "/purchasing/suppliers",
        data={"code": "ACME", "legal_name": "PT Acme", "npwp": "12", "email": "x@acme.id"},
    )
    assert (
        r.status_code == 422 and "PT Acme" in r.text and "NPWP" in r.text
    )  # kept, and says what is wrong
    r = _ok(
        buyer.post(
            "/purchasing/suppliers",
            data={
                "code": "ACME",
                "legal_name": "PT Acme",
                "npwp": "01.234.567.8-901.000",
                "email": "x@acme.id",
                "payment_terms_days": "30",
                "lead_time_days": "5",
            },
        ),
        "supplier",
    )
    sid = int(r.headers["location"].split("/")[-1].split("?")[0])
    _ok(
        buyer.post(
            f"/purchasing/suppliers/{sid}/products",
            data={"sku": "SSD-1TB", "unit_cost": "1.000.000", "supplier_code": "AC-SSD"},
        ),
        "product",
    )
    _ok(
        buyer.post(
            f"/purchasing/suppliers/{sid}/products", data={"sku": "KABEL", "unit_cost": "10.000"}
        ),
        "product",
    )
    page = buyer.get(f"/purchasing/suppliers/{sid}").text
    assert "AC-SSD" in page and "Rp 1.000.000" in page and "01.234.567.8-901.000" in page
    r = buyer.post(
        "/purchasing/orders",
        data={"supplier_id": str(sid), "warehouse_id": "1", "lines": "SSD-1TB 2\nKABEL 10 9.500"},
    )
    po_url = _ok(r, "order").headers["location"].split("?")[0]
    po_id = int(po_url.split("/")[-1])
    assert "Rp 2.095.000" in buyer.get(po_url).text  # 2 × 1.000.000 + 10 × 9.500
    for event in ("approve", "send"):
        _ok(buyer.post(f"/purchasing/orders/{po_id}/events/{event}"), event)
    page = store.get(po_url).text
    ids = re.findall(r'name="qty_(\d+)"', page)
    assert len(ids) == 2
    ssd_line, kabel_line = ids
    r = store.post(
        f"/purchasing/orders/{po_id}/receipts",
        data={
            f"qty_{ssd_line}": "2",
            f"serials_{ssd_line}": "SN-A\nSN-B",
            f"qty_{kabel_line}": "12",
            "freight": "0",
        },
    )
    assert (
        r.status_code == 409
        and "penerimaan melebihi pesanan tanpa alasan" in r.text
        and 'value="12"' in r.text
        and "SN-A" in r.text
    )
    _ok(
        store.post(
            f"/purchasing/orders/{po_id}/receipts",
            data={
                f"qty_{ssd_line}": "2",
                f"serials_{ssd_line}": "SN-A\nSN-B",
                f"qty_{kabel_line}": "12",
                f"reason_{kabel_line}": "bonus",
                "freight": "20.950",
            },
        ),
        "receive",
    )
    page = buyer.get(po_url).text
    assert "Diterima" in page or "Received" in page
    r = _ok(
        finance.post(
            f"/purchasing/orders/{po_id}/invoices",
            data={
                "number": "INV-1",
                "invoice_date": "2026-12-01",
                f"inv_qty_{ssd_line}": "2",
                f"inv_price_{ssd_line}": "1.000.000",
                f"inv_qty_{kabel_line}": "10",
                f"inv_price_{kabel_line}": "9.500",
                "tax": "0",
                "total": "2.095.000",
            },
        ),
        "invoice",
    )
    payables_page = finance.get("/purchasing/payables").text
    inv_id = re.search(r'id="invoice-(\d+)"', payables_page).group(1)  # type: ignore[union-attr]
    _ok(finance.post(f"/purchasing/invoices/{inv_id}/events/approve"), "approve invoice")
    credit = {"supplier_id": str(sid), "number": "CN-7", "issued_on": "2026-12-05"}
    r = finance.post("/purchasing/credit-notes", data={**credit, "amount": "seratus"})
    assert r.status_code == 422 and 'value="CN-7"' in r.text and 'value="seratus"' in r.text
    _ok(finance.post("/purchasing/credit-notes", data={**credit, "amount": "100.000"}), "credit")
    page = finance.get("/purchasing/payables?done=credit").text
    credit_id = re.search(r'id="credit-(\d+)"', page).group(1)  # type: ignore[union-attr]
    apply = f"/purchasing/credit-notes/{credit_id}/apply"
    r = finance.post(apply, data={"invoice_id": inv_id, "amount": "5.000.000"})
    assert r.status_code == 422, r.text[:300]
    refusal = re.search(r'id="purchasing-error">(.*?)</p>', r.text, re.S).group(1)  # type: ignore[union-attr]
    assert "kredit tidak dapat dipakai" in refusal and "sisa nota kredit CN-7 hanya" in refusal
    assert "utang pada INV-1 hanya" in refusal and "only" not in refusal  # Indonesian, each problem
    _ok(finance.post(apply, data={"invoice_id": inv_id, "amount": "95.000"}), "apply credit")
    _ok(
        finance.post(
            f"/purchasing/invoices/{inv_id}/payments",
            data={"amount": "2.000.000", "paid_on": "2026-12-10"},
        ),
        "pay",
    )
    assert "Pembayaran dicatat." in finance.get("/purchasing/payables?done=paid").text
    stock = buyer.get("/purchasing/stock").text
    assert "SSD-1TB" in stock and 'id="valuation-total"' in stock
    _ok(
        store.post(
            "/purchasing/levels",
            data={
                "warehouse_id": "1",
                "sku": "KABEL",
                "reorder_point": "20",
                "reorder_up_to": "100",
            },
        ),
        "level",
    )
    plan = buyer.get("/purchasing/reorder").text
    assert 'id="plan-KABEL-1"' in plan and 'value="88"' in plan  # refill 100 - 12 on hand
    r = _ok(
        buyer.post("/purchasing/reorder", data={"pick": f"2:{sid}:1", f"qty_2:{sid}:1": "90"}),
        "reorder",
    )
    assert r.headers["location"] == "/purchasing?state=draft"


def test_pages_are_closed_to_resellers_and_every_string_is_translated(hub: Seeded) -> None:
    reseller = hub.client(Role.RESELLER, "r1")
    for path in (
        "/purchasing",
        "/purchasing/suppliers",
        "/purchasing/payables",
        "/purchasing/reorder",
        "/purchasing/stock",
    ):
        assert reseller.get(path).status_code == 403, path
    ids = template_ids("purchasing") | set(web.STATES.values()) | set(web.EVENTS.values())
    ids |= set(pages.DONE.values()) | set(pages_money.DONE.values()) | {"Purchasing"}
    assert missing(ids, catalogue("id")) == []
    modules = sorted(Path(pages.__file__).parent.glob("*.py"))
    modules += [Path(bins.__file__), Path(serials.__file__)]
    assert missing(fixed_texts(*modules), catalogue("id")) == []
