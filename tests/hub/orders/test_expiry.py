"""Acceptance 4: unpaid orders expire after window + grace and release stock; not with a proof pending."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from hub.core.db import transaction
from hub.inventory.models import StockItem
from hub.notifications.models import OutboxMessage
from hub.orders.expiry import expire_due, remind_due
from hub.orders.models import Order
from hub.orders.service import LineRequest, OrderPolicy, book_payment, create_order
from hub.payments import proofs
from hub.payments import service as payments
from tests.hub.orders.helpers import FINANCE, R1, Hub, seed

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
POLICY = OrderPolicy(payment_window=dt.timedelta(days=7), grace=dt.timedelta(hours=12))


def _place(hub: Hub, qty: int) -> int:
    with transaction(hub.factory) as s:
        return create_order(
            s, R1, "r1", [LineRequest(qty, product_id=hub.products["SSD"])], hub.ctx, now=T0
        ).id


def _state(hub: Hub, order_id: int) -> str:
    with hub.factory() as s:
        return s.get(Order, order_id).state


def _reserved(hub: Hub) -> int:
    with hub.factory() as s:
        return s.get(StockItem, hub.products["SSD"]).reserved


def test_expiry_window_grace_and_pending_proof(hub: Hub, tmp_path) -> None:
    seed(hub, {"SSD": 10})
    unpaid, reviewed, part = _place(hub, 2), _place(hub, 3), _place(hub, 1)
    with transaction(hub.factory) as s:
        order = s.get(Order, reviewed)
        claim = payments.TransferClaim(
            order.invoice_number, "BCA", "Toko", T0.date(), Decimal("1000")
        )
        stored = proofs.store(io.BytesIO(b"%PDF-1.4 proof"), tmp_path / "proofs")
        payments.submit(s, R1, reviewed, claim, stored)
        book_payment(s, FINANCE, s.get(Order, part), Decimal("1000"))
    assert _reserved(hub) == 6

    # inside the window, and inside the grace period: nothing happens
    assert expire_due(hub.factory, POLICY, T0 + dt.timedelta(days=7)) == []
    assert expire_due(hub.factory, POLICY, T0 + dt.timedelta(days=7, hours=11)) == []
    # past window + grace: only the unpaid order without a pending proof expires
    late = T0 + dt.timedelta(days=7, hours=12)
    assert expire_due(hub.factory, POLICY, late) == [unpaid]
    assert _state(hub, unpaid) == "expired" and _reserved(hub) == 4
    assert _state(hub, reviewed) == "awaiting_payment" and _state(hub, part) == "partially_paid"
    # idempotent: a second run changes nothing
    assert expire_due(hub.factory, POLICY, late + dt.timedelta(days=30)) == []
    assert _reserved(hub) == 4

    # once finance rejects the proof, the order expires on the next run
    with transaction(hub.factory) as s:
        conf = payments.queue(s)[0]
        payments.reject(s, FINANCE, conf.id, "no such transfer on the statement")
    assert expire_due(hub.factory, POLICY, late) == [reviewed]
    assert _reserved(hub) == 1


def test_reminder_once_before_deadline(hub: Hub) -> None:
    seed(hub, {"SSD": 10})
    from hub.notifications.service import add_contact

    with transaction(hub.factory) as s:
        add_contact(s, "r1", "whatsapp", "+628123456789", "id")
    order_id = _place(hub, 1)
    assert remind_due(hub.factory, POLICY, T0 + dt.timedelta(days=5)) == []
    assert remind_due(hub.factory, POLICY, T0 + dt.timedelta(days=6, hours=1)) == [order_id]
    assert remind_due(hub.factory, POLICY, T0 + dt.timedelta(days=6, hours=2)) == []
    with hub.factory() as s:
        assert [m.template for m in s.query(OutboxMessage)] == ["order_placed", "order_expiring"]
