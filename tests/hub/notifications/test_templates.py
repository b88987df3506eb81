"""Messages to resellers write money the one way the hub writes it (hub.core.i18n.money): the
same amount read in the portal, on the invoice and in the e-mail (it was "Rp 1250000.00")."""

from __future__ import annotations

from decimal import Decimal

from hub.core.i18n import Formatter, money
from hub.notifications.templates import render
from hub.orders.documents import rupiah


def test_a_payment_message_writes_amounts_like_the_pages() -> None:
    payload = {"order_id": 7, "amount": "1250000.00", "due": "350000.00"}
    _, body_id = render("payment_received", "id", payload)
    _, body_en = render("payment_received", "en", payload)
    assert "Rp 1.250.000" in body_id and "Rp 350.000" in body_id
    assert "Rp 1,250,000" in body_en and "Rp 350,000" in body_en
    assert Formatter("id").money(Decimal("1250000.00")) in body_id


def test_pages_documents_and_messages_share_one_format() -> None:
    amount = Decimal("1446476.50")
    assert money(amount, "id", cents=True) == rupiah(amount) == "Rp 1.446.476,50"
    assert money(amount, "en") == "Rp 1,446,476" and money(-amount, "id") == "-Rp 1.446.476"
    assert money(None) == "—"
