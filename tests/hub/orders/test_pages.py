"""Order, payment and fulfilment pages through the real app: reseller portal, finance queue, warehouse."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.i18n import Formatter
from hub.core.roles import Role
from hub.core.security import LANG_COOKIE
from hub.orders.models import Order
from hub.payments.models import TransferConfirmation
from hub.payments.service import proofs_dir
from tests.hub.offers.test_pages import ESCAPED, seed_offers
from tests.hub.web.webkit import XSS, Seeded, seed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    h = seed(tmp_path)
    h.offers = seed_offers(h.app)  # type: ignore[attr-defined]
    return h


def english(hub: Seeded, role: Role, reseller: str = "r1"):
    c = hub.client(role, reseller)
    c.cookies.set(LANG_COOKIE, "en")
    return c


def quick_order(client, lines: list[tuple[str, str]]):  # ANN201
    return client.post(
        "/portal/orders", data={"sku": [s for s, _ in lines], "quantity": [q for _, q in lines]}
    )


def place(hub: Seeded, reseller: str = "r1", sku: str = "A", qty: str = "10") -> int:
    r = quick_order(hub.client(Role.RESELLER, reseller), [(sku, qty)])
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def order(hub: Seeded, order_id: int) -> Order:
    with hub.app.state.hub.session_factory() as s:
        return s.get(Order, order_id)


def proof_form(o: Order, **kw: str) -> dict[str, str]:
    return {
        "invoice_number": o.invoice_number or "",
        "bank": "BCA",
        "account_holder": "Toko r1",
        "transfer_date": dt.date.today().isoformat(),
        "amount": str(o.transfer_amount),
        **kw,
    }


def test_quick_order_then_detail_shows_amounts_bank_and_documents(hub: Seeded) -> None:
    oid = place(hub)
    o = order(hub, oid)
    assert o.state == "awaiting_payment" and o.source == "portal" and o.lines[0].quantity == 10
    page = english(hub, Role.RESELLER).get(f"/portal/orders/{oid}")
    assert page.status_code == 200
    assert "Alpha router" in page.text and "Rp 900" in page.text  # 10 × 90
    assert (
        f"Transfer exactly Rp {o.transfer_amount:,.0f}" in page.text
        and o.payment_reference in page.text
    )
    assert f"/api/v1/orders/{oid}/invoice.pdf" in page.text and 'id="proof-form"' in page.text
    assert (
        "menunggu pembayaran" in hub.client(Role.RESELLER).get(f"/portal/orders/{oid}").text
    )  # Indonesian
    listing = hub.client(Role.RESELLER).get("/portal/orders").text
    assert f'id="order-{oid}"' in listing and o.invoice_number in listing
    assert (
        hub.client(Role.RESELLER)
        .get(f"/api/v1/orders/{oid}/invoice.pdf")
        .content.startswith(b"%PDF-")
    )


def test_a_reseller_sees_only_its_own_orders(hub: Seeded) -> None:
    oid = place(hub, "r1")
    other = hub.client(Role.RESELLER_ADMIN, "r2")
    assert other.get(f"/portal/orders/{oid}").status_code == 404
    assert f'id="order-{oid}"' not in other.get("/portal/orders").text
    assert other.post(f"/portal/cart/reorder/{oid}").status_code == 404
    assert (
        other.post(
            f"/portal/orders/{oid}/payments",
            data=proof_form(order(hub, oid)),
            files={"proof": ("p.png", PNG, "image/png")},
        ).status_code
        == 404
    )
    assert order(hub, oid).pending_proofs == 0


def test_bad_lines_re_render_the_form_with_every_problem(hub: Seeded) -> None:
    r = quick_order(english(hub, Role.RESELLER), [("A", "two"), (XSS, "1")])
    assert r.status_code == 422 and "line 1: quantity &#39;two&#39; is not a whole number" in r.text
    r = quick_order(english(hub, Role.RESELLER), [("NOPE", "1"), (XSS, "1")])
    assert r.status_code == 422 and "SKU &#39;NOPE&#39; is not in the catalog" in r.text
    assert (
        XSS not in r.text.split("<main>")[1] and 'value="NOPE"' in r.text
    )  # typed lines kept, escaped
    with hub.app.state.hub.session_factory() as s:
        assert s.scalars(select(Order)).all() == []


def test_csv_order_and_reorder(hub: Seeded) -> None:
    c = hub.client(Role.RESELLER)
    r = c.post(
        "/portal/orders/csv", files={"file": ("o.csv", b"sku,quantity\nA,3\nB,2\n", "text/csv")}
    )
    assert r.status_code == 303, r.text
    first = int(r.headers["location"].rsplit("/", 1)[1])
    assert order(hub, first).source == "csv" and len(order(hub, first).lines) == 2
    bad = english(hub, Role.RESELLER).post(
        "/portal/orders/csv", files={"file": ("o.csv", b"name\nA\n", "text/csv")}
    )
    assert bad.status_code == 422 and "the CSV needs the columns sku and quantity" in bad.text
    # "order again" fills the cart at today's prices and places nothing until checkout
    again = c.post(f"/portal/cart/reorder/{first}")
    assert again.status_code == 303 and again.headers["location"] == "/portal/cart?reorder=1"
    cart = c.get(again.headers["location"])
    assert 'id="cart-lines"' in cart.text and 'id="checkout-link"' in cart.text
    with hub.app.state.hub.session_factory() as s:
        drafts = s.scalars(select(Order).where(Order.source == "cart")).all()
    assert [(d.state, d.quantities()) for d in drafts] == [
        ("draft", order(hub, first).quantities())
    ]


def test_posts_need_the_csrf_token(hub: Seeded) -> None:
    c = hub.client(Role.RESELLER)
    del c.headers["X-CSRF-Token"]
    r = quick_order(c, [("A", "1")])
    assert r.status_code == 403 and "CSRF" in r.text
    ids = hub.offers  # type: ignore[attr-defined]
    assert c.post(f"/portal/offers/{ids['r1']}/order").status_code == 403
    fin = hub.client(Role.FINANCE)
    del fin.headers["X-CSRF-Token"]
    assert fin.post("/payments/1/reject", data={"reason": "no money"}).status_code == 403


def test_roles_are_refused(hub: Seeded) -> None:
    assert hub.client(Role.RESELLER).get("/payments").status_code == 403
    assert hub.client(Role.INVENTORY).get("/payments").status_code == 403
    assert hub.client(Role.FINANCE).get("/fulfilment").status_code == 403
    assert hub.client(Role.OWNER).get("/portal/orders").status_code == 403
    assert hub.client(Role.RESELLER).post("/fulfilment/1/pack").status_code == 403


def test_a_bad_proof_re_renders_the_form_with_the_message_and_leaves_nothing(hub: Seeded) -> None:
    oid = place(hub)
    o = order(hub, oid)
    c = english(hub, Role.RESELLER)
    r = c.post(
        f"/portal/orders/{oid}/payments",
        data=proof_form(o, bank="Mandiri <b>"),
        files={"proof": ("bukti.png", b"just some text", "image/png")},
    )
    assert r.status_code == 422 and "the proof is not a PNG, JPEG or PDF file" in r.text
    assert 'value="Mandiri &lt;b&gt;"' in r.text and 'id="proof-form"' in r.text
    r = c.post(
        f"/portal/orders/{oid}/payments",
        data=proof_form(o, invoice_number="INV/1999/1"),
        files={"proof": ("bukti.png", PNG, "image/png")},
    )
    assert r.status_code == 422 and "is not this order" in r.text
    directory = proofs_dir(hub.app.state.hub.settings.home)
    assert not directory.exists() or list(directory.iterdir()) == []
    assert order(hub, oid).pending_proofs == 0


def test_amounts_and_dates_typed_as_the_indonesian_screen_shows_them(hub: Seeded) -> None:
    """``1.446.476,00``-style amounts and ``6/12/2026``-style dates, as displayed in Indonesian."""
    oid = place(hub, qty="120")
    o = order(hub, oid)
    shown = Formatter("id").number(o.transfer_amount, 2)
    assert "." in shown and shown.endswith(",00")
    today = dt.date.today()
    shop = hub.client(Role.RESELLER)  # Indonesian: the hub's default language
    bad = shop.post(
        f"/portal/orders/{oid}/payments",
        data=proof_form(o, amount="1,2,3"),
        files={"proof": ("bukti.png", PNG, "image/png")},
    )
    assert bad.status_code == 422 and "bukan angka" in bad.text and "BCA" in bad.text
    sent = shop.post(
        f"/portal/orders/{oid}/payments",
        data=proof_form(o, amount=shown, transfer_date=f"{today.day}/{today.month}/{today.year}"),
        files={"proof": ("bukti.png", PNG, "image/png")},
    )
    assert sent.status_code == 200, sent.text
    with hub.app.state.hub.session_factory() as s:
        conf = s.scalars(
            select(TransferConfirmation).where(TransferConfirmation.order_id == oid)
        ).one()
        assert conf.amount == o.transfer_amount and conf.transfer_date == today


def test_proof_confirm_pack_ship_and_tracking(hub: Seeded) -> None:
    oid = place(hub)
    o = order(hub, oid)
    shop = english(hub, Role.RESELLER)
    sent = shop.post(
        f"/portal/orders/{oid}/payments",
        data=proof_form(o),
        files={"proof": ("bukti.png", PNG, "image/png")},
    )
    assert sent.status_code == 200 and "finance will check your transfer" in sent.text
    finance = english(hub, Role.FINANCE)
    queue = finance.get("/payments")
    conf_id = int(re.search(r'id="confirmation-(\d+)"', queue.text).group(1))  # type: ignore[union-attr]
    assert f"/api/v1/payments/{conf_id}/proof" in queue.text and ESCAPED not in queue.text
    assert finance.get(f"/api/v1/payments/{conf_id}/proof").content == PNG
    bad = finance.post(f"/payments/{conf_id}/confirm", data={"received_amount": "-5"})
    assert bad.status_code == 422 and "received amount must be a positive amount" in bad.text
    ok = finance.post(f"/payments/{conf_id}/confirm", data={"received_amount": ""})
    assert ok.status_code == 200 and f"Transfer #{conf_id} confirmed." in ok.text
    assert order(hub, oid).state == "paid"
    assert finance.post(f"/payments/{conf_id}/confirm").status_code == 409  # already confirmed

    stock = english(hub, Role.INVENTORY)
    assert f'id="pack-{oid}"' in stock.get("/fulfilment").text
    assert stock.post(f"/fulfilment/{oid}/pack").status_code == 200
    no_waybill = stock.post(
        f"/fulfilment/{oid}/ship", data={"courier": "JNE", "service": "REG", "waybill": " "}
    )
    assert (
        no_waybill.status_code == 409
        and "shipping needs the courier and the waybill" in no_waybill.text
    )
    shipped = stock.post(
        f"/fulfilment/{oid}/ship", data={"courier": "JNE", "service": "REG", "waybill": "JNE0042"}
    )
    assert shipped.status_code == 200 and f"Order #{oid} shipped." in shipped.text
    assert order(hub, oid).state == "shipped"
    assert stock.post(f"/fulfilment/{oid}/pack").status_code == 409  # not paid any more

    page = shop.get(f"/portal/orders/{oid}").text
    assert 'id="waybill">JNE0042<' in page and "JNE" in page and 'id="amount-due">Rp 0<' in page
    history = page.split('id="history"')[1].split("</ol>")[0]
    assert [s for s in ("awaiting payment", "paid", "packed", "shipped") if s in history] == [
        "awaiting payment",
        "paid",
        "packed",
        "shipped",
    ]
    assert 'id="proof-form"' not in page


def test_finance_rejects_with_a_reason_the_reseller_sees(hub: Seeded) -> None:
    oid = place(hub)
    shop = english(hub, Role.RESELLER)
    shop.post(
        f"/portal/orders/{oid}/payments",
        data=proof_form(order(hub, oid)),
        files={"proof": ("b.pdf", b"%PDF-1.4 test", "application/pdf")},
    )
    with hub.app.state.hub.session_factory() as s:
        conf_id = s.scalars(select(TransferConfirmation.id)).one()
    finance = english(hub, Role.OWNER)
    assert finance.post(f"/payments/{conf_id}/reject", data={"reason": "x"}).status_code == 422
    assert (
        finance.post(
            f"/payments/{conf_id}/reject", data={"reason": f"not on statement {XSS}"}
        ).status_code
        == 200
    )
    assert finance.post("/payments/999999/reject", data={"reason": "nothing"}).status_code == 404
    page = shop.get(f"/portal/orders/{oid}").text
    assert "not on statement " + ESCAPED in page and XSS not in page.split("<main>")[1]
    assert order(hub, oid).state == "awaiting_payment" and 'id="proof-form"' in page
