"""After ordering, from the reseller's seat: pay the down payment and then the rest (the page
asks for the right amount each time), a receipt per confirmed payment, cancel while nothing is
paid, the tracking link once shipped, confirm receipt."""

from __future__ import annotations

import re
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from hub.core.db import transaction
from hub.core.i18n import Formatter
from hub.core.roles import Role
from hub.inventory.models import StockItem
from hub.orders import fulfilment, service
from hub.orders.models import Order
from hub.payments import service as payments
from hub.users.service import principal_of
from tests.hub.portal.shopkit import build_shop, order_through_pages
from tests.hub.web.webkit import Seeded, seed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ID = Formatter("id")


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path)


def _order(hub: Seeded, oid: int) -> Order:
    with hub.app.state.hub.session_factory() as s:
        o = s.get(Order, oid)
        assert o is not None
        s.expunge(o)
        return o


def _send_proof(c, o: Order, amount: str):  # type: ignore[no-untyped-def]
    return c.post(
        f"/portal/orders/{o.id}/payments",
        data={
            "invoice_number": o.invoice_number,
            "bank": "BCA",
            "account_holder": "Budi Santoso",
            "transfer_date": "2026-12-01",
            "amount": amount,
        },
        files={"proof": ("bukti.png", PNG, "image/png")},
    )


def _finance_confirms_last(hub: Seeded, oid: int) -> None:
    finance = principal_of(hub.users["finance"])
    with transaction(hub.app.state.hub.session_factory) as s:
        pending = [c for c in payments.queue(s) if c.order_id == oid]
        assert len(pending) == 1
        payments.confirm(s, finance, pending[0].id)


def _proof_amount(page: str) -> str:
    m = re.search(r'name="amount" value="([^"]*)"', page)
    assert m, page
    return m.group(1)


def _pdf_text(pdf: bytes, tmp: Path) -> str:
    assert pdf.startswith(b"%PDF-")
    (tmp / "r.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(tmp / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_down_payment_then_rest_receipts_tracking_received(hub: Seeded, tmp_path: Path) -> None:
    ids = build_shop(hub.app.state.hub.session_factory)
    c = hub.client(Role.RESELLER)
    oid = order_through_pages(c, ids["model"], {ids["red"]: 2, ids["blue"]: 10})
    o = _order(hub, oid)
    assert o.down_payment > 0 and o.down_payment < o.total
    first = o.down_payment + o.unique_code

    page = c.get(f"/portal/orders/{oid}").text
    assert "Uang muka dulu" in page and ID.money(first) in page
    assert f"/api/v1/orders/{oid}/proforma.pdf" in page
    assert _proof_amount(page) == ID.number(first)  # the form asks for the down payment
    assert 'id="cancel-order"' in page  # nothing paid yet: it can still be cancelled
    history = page[page.index('id="history"') :]
    assert "uang muka ditetapkan" in history and "down_payment" not in history
    api = c.get(f"/api/v1/orders/{oid}").json()  # a script sees what the page says
    assert Decimal(api["down_payment"]) == o.down_payment
    assert Decimal(api["down_payment_due"]) == o.down_payment
    assert Decimal(api["pay_now"]) == first and Decimal(api["amount_due"]) == o.transfer_amount
    assert api["ship_to_name"] and api["ship_to_address"]

    r = _send_proof(c, o, _proof_amount(page))  # sent as the page proposed it
    assert r.status_code == 200, r.text
    assert 'id="cancel-order"' not in r.text  # finance is checking a transfer
    _finance_confirms_last(hub, oid)
    o = _order(hub, oid)
    assert o.state == "partially_paid" and o.paid_amount == first
    rest = o.transfer_amount - first
    assert o.amount_due == rest
    api = c.get(f"/api/v1/orders/{oid}").json()
    assert Decimal(api["down_payment_due"]) == 0 and Decimal(api["pay_now"]) == rest

    page = c.get(f"/portal/orders/{oid}").text
    assert "Uang muka dulu" not in page
    assert f"sisa yang perlu ditransfer {ID.money(rest)}" in page
    assert _proof_amount(page) == ID.number(rest)  # the rest, not the full amount again
    links = re.findall(r'href="(/api/v1/payments/\d+/receipt\.pdf)"', page)
    assert len(links) == 1
    text = _pdf_text(c.get(links[0]).content, tmp_path)
    assert f"KW/{o.invoice_number}/1" in text and "KUITANSI" in text.upper()
    assert ID.money(first) in text and ID.money(rest) in text  # amount, and what is left

    _send_proof(c, o, _proof_amount(page))
    _finance_confirms_last(hub, oid)
    o = _order(hub, oid)
    assert o.state == "paid" and o.amount_due == 0
    page = c.get(f"/portal/orders/{oid}").text
    assert "Sudah lunas" in page and 'id="proof-form"' not in page
    links = re.findall(r'href="(/api/v1/payments/\d+/receipt\.pdf)"', page)
    assert len(links) == 2
    text = _pdf_text(c.get(links[1]).content, tmp_path)
    assert f"KW/{o.invoice_number}/2" in text and ID.money(rest) in text
    # another reseller sees no receipt of r1's
    assert hub.client(Role.RESELLER, "r2").get(links[1]).status_code == 404

    stock = principal_of(hub.users["inventory"])
    with transaction(hub.app.state.hub.session_factory) as s:
        order = service.get_order(s, None, oid)
        service.apply_event(s, stock, order, "pack")
        fulfilment.ship(s, stock, order, courier="TIKI", service="ONS", waybill="TK 0042/A")
    page = c.get(f"/portal/orders/{oid}").text
    assert 'href="https://cekresi.com/?noresi=TK%200042%2FA"' in page
    assert "Budi Santoso" in page and 'id="confirm-receipt"' in page

    r = c.post(f"/portal/orders/{oid}/received")
    assert r.status_code == 200 and f"pesanan #{oid} selesai" in r.text
    assert _order(hub, oid).state == "completed"
    assert 'id="confirm-receipt"' not in r.text


def _reserved(hub: Seeded, product_id: int) -> int:
    with hub.app.state.hub.session_factory() as s:
        item = s.get(StockItem, product_id)
        return item.reserved if item is not None else 0


def test_cancel_before_payment_only(hub: Seeded) -> None:
    ids = build_shop(hub.app.state.hub.session_factory)
    c = hub.client(Role.RESELLER)
    oid = order_through_pages(c, ids["model"], {ids["red"]: 3})
    assert _reserved(hub, ids["red"]) == 3
    assert hub.client(Role.RESELLER, "r2").post(f"/portal/orders/{oid}/cancel").status_code == 404
    r = c.post(f"/portal/orders/{oid}/cancel")
    assert r.status_code == 200 and f"Pesanan #{oid} dibatalkan" in r.text
    assert _order(hub, oid).state == "cancelled" and _reserved(hub, ids["red"]) == 0

    oid = order_through_pages(c, ids["model"], {ids["red"]: 1})
    o = _order(hub, oid)
    _send_proof(c, o, str(o.pay_now))
    r = c.post(f"/portal/orders/{oid}/cancel")  # the transfer is being checked
    assert r.status_code == 409 and "masih memeriksa transfer" in r.text
    _finance_confirms_last(hub, oid)
    r = c.post(f"/portal/orders/{oid}/cancel")  # money is on it now
    assert r.status_code == 409 and "sudah ada pembayarannya" in r.text
    assert _order(hub, oid).state == "partially_paid"


def test_statement_of_account(hub: Seeded) -> None:
    """Two invoices, a payment on one, the other cancelled: the balance is what is still owed."""
    ids = build_shop(hub.app.state.hub.session_factory)
    c = hub.client(Role.RESELLER)
    assert "Belum ada faktur" in c.get("/portal/statement").text
    paid_id = order_through_pages(c, ids["model"], {ids["red"]: 2})
    dropped_id = order_through_pages(c, ids["model"], {ids["blue"]: 1})
    paid, dropped = _order(hub, paid_id), _order(hub, dropped_id)
    _send_proof(c, paid, str(paid.pay_now))
    _finance_confirms_last(hub, paid_id)
    assert c.post(f"/portal/orders/{dropped_id}/cancel").status_code == 200

    page = c.get("/portal/statement").text
    rows = re.findall(r'<tr class="entry-(\w+)">(.*?)</tr>', page, re.S)
    assert [kind for kind, _ in rows] == ["invoice", "invoice", "payment", "cancelled"]
    owed = paid.transfer_amount - paid.pay_now
    assert ID.money(owed) in rows[-1][1]  # the running balance after the last line
    balance = re.search(r'id="statement-balance"><strong>([^<]+)<', page)
    assert balance and balance.group(1) == ID.money(owed)
    assert paid.invoice_number in rows[0][1] and dropped.invoice_number in rows[3][1]
    assert "Belum ada faktur" in hub.client(Role.RESELLER, "r2").get("/portal/statement").text


def test_staff_set_the_down_payment_rule(hub: Seeded) -> None:
    """Finance sets a group's share as typed in Indonesian; the next checkout asks for it."""
    ids = build_shop(hub.app.state.hub.session_factory, down_payment=Decimal(0))
    finance = hub.client(Role.FINANCE)
    assert hub.client(Role.RESELLER).get("/down-payments").status_code == 403
    r = finance.post(f"/down-payments/{ids['group']}", data={"percent": "dua puluh"})
    assert r.status_code == 422 and 'value="dua puluh"' in r.text
    r = finance.post(f"/down-payments/{ids['group']}", data={"percent": "120"})
    assert r.status_code == 422
    r = finance.post(f"/down-payments/{ids['group']}", data={"percent": "12,5"})
    assert r.status_code == 200 and "disimpan" in r.text and 'value="12,5"' in r.text

    c = hub.client(Role.RESELLER)
    oid = order_through_pages(c, ids["model"], {ids["red"]: 2})
    o = _order(hub, oid)
    assert o.down_payment == (o.total * Decimal("0.125")).quantize(Decimal(1), ROUND_HALF_UP)
    assert finance.post(f"/down-payments/{ids['group']}", data={"percent": ""}).status_code == 200
    assert _order(hub, oid).down_payment == o.down_payment  # placed orders keep theirs
    oid = order_through_pages(c, ids["model"], {ids["red"]: 1})
    assert _order(hub, oid).down_payment == 0
