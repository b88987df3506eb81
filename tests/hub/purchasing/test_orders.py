"""Purchase orders: drafting from the supplier's list, approval, the PDF e-mailed, cancel and close."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.db import transaction
from hub.notifications.models import OutboxMessage
from hub.purchasing import service
from hub.purchasing.models import Supplier
from hub.purchasing.schemas import OrderLineIn, PurchaseOrderCreate
from shared.errors import Conflict, DataError, Forbidden
from tests.hub.purchasing.kit import BUYER, STORE, D, Shop, draft, open_shop, receive, sent_order


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return open_shop(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "po")


def test_a_draft_takes_the_suppliers_prices_and_sums_repeated_products(shop: Shop) -> None:
    with transaction(shop.factory) as s:
        po = service.create_order(
            s,
            BUYER,
            PurchaseOrderCreate(
                supplier_id=shop.suppliers["ACME"],
                warehouse_id=1,
                lines=[
                    OrderLineIn(sku="MOUSE", quantity=10),
                    OrderLineIn(sku="LAPTOP", quantity=2, unit_cost=D("4900000")),
                    OrderLineIn(sku="MOUSE", quantity=20),
                ],
            ),
        )
        assert po.number.startswith("PO-") and po.number.endswith("-00001")
        assert [(ln.supplier_code, ln.quantity, ln.unit_cost) for ln in po.lines] == [
            ("AC-MS", 30, D("50000")),
            ("AC-LT", 2, D("4900000")),
        ]
        assert po.total == D("11300000.00")
        assert po.expected_on is not None  # today + ACME's 10 days lead time


def test_unknown_products_and_missing_prices_are_all_reported(shop: Shop) -> None:
    with pytest.raises(DataError) as err, transaction(shop.factory) as s:
        service.create_order(
            s,
            BUYER,
            PurchaseOrderCreate(
                supplier_id=shop.suppliers["ACME"],
                warehouse_id=1,
                lines=[
                    OrderLineIn(sku="NOPE", quantity=1),
                    OrderLineIn(product_id=999, quantity=1),
                ],
            ),
        )
    assert "line 1: no product with SKU 'NOPE'" in str(err.value)
    assert "line 2: no product #999" in str(err.value)
    with (
        pytest.raises(DataError, match="BETA has no price for product"),
        transaction(shop.factory) as s,
    ):
        service.create_order(
            s,
            BUYER,
            PurchaseOrderCreate(
                supplier_id=shop.suppliers["BETA"],
                warehouse_id=1,
                lines=[OrderLineIn(sku="SSD", quantity=1)],
            ),
        )


def test_sending_emails_the_indonesian_pdf_to_the_supplier(shop: Shop) -> None:
    po_id = sent_order(shop, {"LAPTOP": 2, "MOUSE": 30})
    with shop.factory() as s:
        po = service.get_order(s, po_id)
        assert (po.state, po.sent_to, po.approved_by) == ("sent", "sales@acme.co.id", "owner")
        msg = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "purchase_order")
        ).one()
    assert (msg.recipient, msg.reseller_id, msg.locale) == ("sales@acme.co.id", None, "id")
    pdf = Path(msg.payload["_attachment"])
    assert pdf == shop.files / f"{po.number}.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        f"PESANAN PEMBELIAN {po.number}",
        "PT ACME Indonesia (ACME)",
        "01.234.567.8-901.000",
        "Gudang Jakarta (JKT)",
        "30 hari setelah tanggal faktur",
        "AC-LT",
        "Rp 10.000.000,00",  # 2 × 5.000.000
        "Rp 1.500.000,00",  # 30 × 50.000
        "Rp 11.500.000,00",
    ):
        assert expected in text, expected


def test_only_buyers_approve_a_supplier_without_email_cannot_be_sent(shop: Shop) -> None:
    with transaction(shop.factory) as s:
        po_id = draft(shop, s, {"SSD": 1}).id
    with pytest.raises(Forbidden), transaction(shop.factory) as s:
        service.fire(s, STORE, po_id, "approve")
    with (
        pytest.raises(Conflict, match="cannot send a purchase order that is draft"),
        transaction(shop.factory) as s,
    ):
        service.fire(s, BUYER, po_id, "send", files=shop.files)
    with transaction(shop.factory) as s:
        service.fire(s, BUYER, po_id, "approve")
        s.get(Supplier, shop.suppliers["ACME"]).email = ""
    with pytest.raises(DataError, match="has no e-mail address"), transaction(shop.factory) as s:
        service.fire(s, BUYER, po_id, "send", files=shop.files)


def test_cancel_needs_a_reason_once_approved_and_nothing_received(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 10})
    with pytest.raises(DataError, match="needs a reason"), transaction(shop.factory) as s:
        service.fire(s, BUYER, po_id, "cancel")
    receive(shop, po_id, {"MOUSE": 4})
    with (
        pytest.raises(Conflict, match="cannot cancel a purchase order that is partly_received"),
        transaction(shop.factory) as s,
    ):
        service.fire(s, BUYER, po_id, "cancel", reason="supplier out of stock")
    with (
        pytest.raises(DataError, match=r"is short \(product: still to come\): #\d+: 6;"),
        transaction(shop.factory) as s,
    ):
        service.fire(s, BUYER, po_id, "close")
    with transaction(shop.factory) as s:
        po = service.fire(s, BUYER, po_id, "close", reason="supplier stopped the model")
        assert (po.state, po.reason) == ("closed", "supplier stopped the model")
    with shop.factory() as s:
        assert service.on_order(s) == {}  # a closed order expects nothing more


def test_numbers_are_consecutive_and_on_order_counts_what_is_still_expected(shop: Shop) -> None:
    a = sent_order(shop, {"MOUSE": 10, "SSD": 3})
    b = sent_order(shop, {"SSD": 2}, warehouse=2)
    receive(shop, a, {"SSD": 1}, serials={"SSD": ["S-1"]})
    with shop.factory() as s:
        numbers = [service.get_order(s, i).number[-5:] for i in (a, b)]
        assert numbers == ["00001", "00002"]
        ssd, mouse = shop.products["SSD"], shop.products["MOUSE"]
        assert service.on_order(s) == {mouse: 10, ssd: 4}
        assert service.on_order(s, warehouse_id=2) == {ssd: 2}
