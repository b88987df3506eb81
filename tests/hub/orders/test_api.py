"""The order and payment API end to end on SQLite: idempotency (acceptance 3), bad inputs (5), flow."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from hub.inventory.models import StockItem
from hub.notifications.models import OutboxMessage
from hub.orders.models import IdempotencyRecord, Order
from hub.payments.models import TransferConfirmation
from tests.hub.orders.apikit import Api, make_api

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    a = make_api(
        f"sqlite:///{tmp_path / 'hub.db'}",
        tmp_path / "home",
        {"SSD": 10, "RAM": 10},
        unpriced=("SECRET",),
    )
    yield a
    a.app.state.hub.engine.dispose()


def _order(api: Api, who: str = "r1", key: str | None = None, qty: int = 2, sku: str = "SSD"):
    headers = {"Idempotency-Key": key} if key else {}
    return api.client(who).post(
        "/api/v1/orders", json={"lines": [{"sku": sku, "quantity": qty}]}, headers=headers
    )


def _count(api: Api, model: type) -> int:
    with api.hub.factory() as s:
        return s.query(model).count()


def _confirm(
    api: Api,
    order: dict,
    proof: bytes = PNG,
    name: str = "bukti.png",
    key: str | None = None,
    amount: str | None = None,
):
    data = {
        "invoice_number": order["invoice_number"],
        "bank": "BCA",
        "account_holder": "Toko Satu",
        "transfer_date": "2026-11-20",
        "amount": amount or order["transfer_amount"],
    }
    headers = {"Idempotency-Key": key} if key else {}
    return api.client("r1").post(
        f"/api/v1/orders/{order['id']}/payments",
        data=data,
        files={"proof": (name, proof, "image/png")},
        headers=headers,
    )


def test_idempotent_order_creation(api: Api) -> None:
    first = _order(api, key="k-1")
    assert first.status_code == 201, first.text
    again = _order(api, key="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(api, Order) == 1
    other = _order(api, key="k-1", qty=3)
    assert other.status_code == 409 and "different request" in other.json()["message"]
    assert _count(api, Order) == 1
    # the same key from another reseller is another key
    assert _order(api, who="r2", key="k-1").status_code == 201
    with api.hub.factory() as s:
        assert s.get(StockItem, api.hub.products["SSD"]).reserved == 4


def test_idempotent_payment_confirmation(api: Api, tmp_path: Path) -> None:
    order = _order(api).json()
    first = _confirm(api, order, key="pay-1")
    assert first.status_code == 201, first.text
    again = _confirm(api, order, key="pay-1")
    assert again.json() == first.json() and _count(api, TransferConfirmation) == 1
    assert _confirm(api, order, key="pay-1", amount="1000").status_code == 409
    proofs = list((tmp_path / "home" / "private" / "payment-proofs").iterdir())
    assert len(proofs) == 1  # replays and conflicts left no stray file


@pytest.mark.parametrize(
    "proof,status,words",
    [
        (ELF, 422, "not a PNG, JPEG or PDF"),
        (b"\xff\xd8\xff" + b"\x00" * (50 * 1024 * 1024), 413, "over this route's limit"),
        (b"", 422, "empty"),
    ],
)
def test_bad_proofs_refused_and_nothing_stored(
    api: Api, tmp_path: Path, proof: bytes, status: int, words: str
) -> None:
    order = _order(api).json()
    resp = _confirm(api, order, proof=proof, name="photo.jpg")
    assert resp.status_code == status, resp.text
    assert words in resp.text
    assert _count(api, TransferConfirmation) == 0
    folder = tmp_path / "home" / "private" / "payment-proofs"
    assert not folder.exists() or list(folder.iterdir()) == []
    with api.hub.factory() as s:
        assert s.get(Order, order["id"]).pending_proofs == 0


def test_bad_order_inputs(api: Api) -> None:
    neg = _order(api, qty=-3)
    assert neg.status_code == 422 and "quantity must be a whole number" in neg.text
    unpriced = _order(api, sku="SECRET")
    assert unpriced.status_code == 422 and "not in your price list" in unpriced.text
    unknown = _order(api, sku="NOPE")
    assert unknown.status_code == 422 and "not in the catalog" in unknown.text
    too_many = _order(api, qty=11)
    assert too_many.status_code == 409 and "available 10" in too_many.text
    assert _count(api, Order) == 0 and _count(api, IdempotencyRecord) == 0
    with api.hub.factory() as s:
        assert s.get(StockItem, api.hub.products["SSD"]).reserved == 0


def test_other_resellers_order_is_invisible(api: Api) -> None:
    order = _order(api).json()
    r2 = api.client("r2")
    for resp in (
        r2.get(f"/api/v1/orders/{order['id']}"),
        r2.get(f"/api/v1/orders/{order['id']}/invoice.pdf"),
        r2.post(f"/api/v1/orders/{order['id']}/events/cancel"),
        r2.get(f"/api/v1/orders/{order['id']}/payment"),
    ):
        assert resp.status_code == 404, resp.text
        assert resp.json()["error"] == "OrderNotFound"
    data = {
        "invoice_number": order["invoice_number"],
        "bank": "BCA",
        "account_holder": "x",
        "transfer_date": "2026-11-20",
        "amount": "1",
    }
    resp = r2.post(
        f"/api/v1/orders/{order['id']}/payments", data=data, files={"proof": ("a.png", PNG)}
    )
    assert resp.status_code == 404
    assert _count(api, TransferConfirmation) == 0
    assert r2.get("/api/v1/orders").json()["count"] == 0


def test_full_flow_with_partial_payment_and_documents(api: Api, tmp_path: Path) -> None:
    order = _order(api, qty=3).json()
    assert order["state"] == "awaiting_payment" and order["invoice_number"].startswith("INV/")
    half = str((Decimal(order["transfer_amount"]) / 2).quantize(Decimal("1")))
    c1 = _confirm(api, order, amount=half).json()
    fin = api.client("finance")
    queue = fin.get("/api/v1/payments/queue").json()
    assert [c["id"] for c in queue["data"]] == [c1["id"]]
    assert api.client("r2").get(f"/api/v1/payments/{c1['id']}/proof").status_code == 404
    assert api.client("inventory").get(f"/api/v1/payments/{c1['id']}/proof").status_code == 403
    proof = fin.get(f"/api/v1/payments/{c1['id']}/proof")
    assert proof.status_code == 200 and proof.content == PNG
    assert fin.post(f"/api/v1/payments/{c1['id']}/confirm").status_code == 200
    now = api.client("r1").get(f"/api/v1/orders/{order['id']}").json()
    assert now["state"] == "partially_paid" and Decimal(now["amount_due"]) > 0
    c2 = _confirm(api, order, amount=now["amount_due"]).json()
    rej = fin.post(f"/api/v1/payments/{c2['id']}/reject", json={"reason": "not on the statement"})
    assert rej.status_code == 200
    c3 = _confirm(api, order, amount=now["amount_due"]).json()
    over = str(Decimal(now["amount_due"]) + 500)
    assert (
        fin.post(f"/api/v1/payments/{c3['id']}/confirm", json={"received_amount": over}).status_code
        == 200
    )
    paid = api.client("r1").get(f"/api/v1/orders/{order['id']}").json()
    assert paid["state"] == "paid" and paid["overpaid"] == "500.00" and paid["amount_due"] == "0.00"
    inv = api.client("inventory")
    assert api.client("r1").post(f"/api/v1/orders/{order['id']}/events/pack").status_code == 403
    assert inv.post(f"/api/v1/orders/{order['id']}/events/pack").status_code == 200
    no_waybill = inv.post(f"/api/v1/orders/{order['id']}/events/ship", json={"courier": "JNE"})
    assert no_waybill.status_code == 422 and "waybill" in no_waybill.text
    shipped = inv.post(
        f"/api/v1/orders/{order['id']}/events/ship",
        json={"courier": "JNE", "service": "REG", "waybill": "JNE0012345"},
    ).json()
    assert shipped["state"] == "shipped" and shipped["waybill"] == "JNE0012345"
    with api.hub.factory() as s:
        item = s.get(StockItem, api.hub.products["SSD"])
        assert (item.on_hand, item.reserved, item.shipped) == (7, 0, 3)
    pdf = api.client("r1").get(f"/api/v1/orders/{order['id']}/invoice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert order["invoice_number"] in text and "SSD" in text
    if shutil.which("pdftoppm"):  # rendered to PNG: a real page with ink on it
        (tmp_path / "invoice.pdf").write_bytes(pdf.content)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-singlefile",
                str(tmp_path / "invoice.pdf"),
                str(tmp_path / "invoice"),
            ],
            check=True,
        )
        png = (tmp_path / "invoice.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 2000
    slip = inv.get(f"/api/v1/orders/{order['id']}/packing-slip.pdf")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF-")


def test_cart_then_place_and_reorder(api: Api) -> None:
    r1 = api.client("r1")
    cart = r1.post(
        "/api/v1/orders", json={"lines": [{"sku": "SSD", "quantity": 1}], "submit": False}
    ).json()
    assert cart["state"] == "draft" and cart["invoice_number"] is None
    edited = r1.put(
        f"/api/v1/orders/{cart['id']}/lines",
        json={"lines": [{"sku": "RAM", "quantity": 2}, {"sku": "RAM", "quantity": 1}]},
    ).json()
    assert [(ln["sku"], ln["quantity"]) for ln in edited["lines"]] == [("RAM", 3)]
    placed = r1.post(f"/api/v1/orders/{cart['id']}/place").json()
    assert placed["state"] == "awaiting_payment"
    again = r1.post(f"/api/v1/orders/{cart['id']}/reorder")
    assert again.status_code == 201 and again.json()["lines"][0]["quantity"] == 3
    csv = r1.post(
        "/api/v1/orders/csv", files={"file": ("o.csv", b"sku,quantity\nSSD,2\nssd-bad,x\n")}
    )
    assert csv.status_code == 422 and "row 3" in csv.text
    csv = r1.post("/api/v1/orders/csv", files={"file": ("o.csv", b"sku;jumlah\nSSD;2\n")})
    assert csv.status_code == 201, csv.text
    assert csv.json()["source"] == "csv"


def test_order_placement_queues_notifications_without_blocking(api: Api) -> None:
    from hub.notifications.service import add_contact

    with api.hub.factory() as s, s.begin():
        add_contact(s, "r1", "email", "toko1@example.test", "en")
    assert _order(api).status_code == 201
    with api.hub.factory() as s:
        msgs = s.query(OutboxMessage).all()
        assert [(m.template, m.status) for m in msgs] == [("order_placed", "pending")]
