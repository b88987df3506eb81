"""A placed order as stored: the same on SQLite and PostgreSQL (written in one statement there).

Invoice numbers follow the counter past six digits; lines, amounts, the transfer marks and the
audit trail of the three transitions are stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from hub.audit.models import AuditEntry
from hub.core.db import transaction
from hub.orders.models import InvoiceCounter, Order
from hub.orders.numbering import format_invoice, transfer_marks, transfer_marks_sql
from hub.orders.service import LineRequest, create_order
from tests.hub.orders.helpers import R1, Hub, seed

NOW = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("fixture", ["hub", "pg_hub"])
def test_numbers_follow_the_counter_past_six_digits(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    hub: Hub = request.getfixturevalue(fixture)
    seed(hub, {"SSD": 10})
    with transaction(hub.factory) as s:
        s.add(InvoiceCounter(year=2026, last=999_998))
    ids = []
    for _ in range(2):
        with transaction(hub.factory) as s:
            answer = create_order(
                s, R1, "r1", [LineRequest(2, product_id=hub.products["SSD"])], hub.ctx, now=NOW
            )
            ids.append(answer.id)
    with hub.factory() as s:
        orders = [s.get(Order, i) for i in ids]
        assert [o.invoice_number for o in orders] == [
            format_invoice(2026, 999_999),
            format_invoice(2026, 1_000_000),
        ]
        assert [o.invoice_number for o in orders] == ["INV/2026/999999", "INV/2026/1000000"]
        assert [(o.unique_code, o.payment_reference) for o in orders] == [
            ((i - 1) % 999 + 1, f"SH{i:08d}") for i in ids
        ]
        stored = orders[-1]
        assert [(ln.product_id, ln.sku, ln.quantity, ln.unit_price) for ln in stored.lines] == [
            (hub.products["SSD"], "SSD", 2, Decimal("100000.00"))
        ]
        assert (stored.state, stored.subtotal, stored.placed_at, stored.payment_due_at) == (
            "awaiting_payment",
            Decimal("200000.00"),
            NOW,
            NOW + dt.timedelta(days=7),
        )
        assert (
            stored.transfer_amount == answer.transfer_amount
        )  # the API's answer is what was stored
        trail = (
            s.query(AuditEntry)
            .filter_by(entity="order", entity_id=str(stored.id))
            .order_by(AuditEntry.id)
        )
        assert [
            (e.action, e.actor, e.before and e.before["state"], e.after["state"]) for e in trail
        ] == [
            ("order.create", "toko1", None, "draft"),
            ("order.place", "toko1", "draft", "placed"),
            ("order.request_payment", "toko1", "placed", "awaiting_payment"),
        ]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order_id=st.one_of(st.integers(1, 2_000), st.integers(1, 10**13)))
def test_transfer_marks_in_sql_equal_python(pg_database: str, order_id: int) -> None:
    """PostgreSQL numbers an order in SQL; SQLite and later placements use Python: same marks."""
    code, reference = transfer_marks_sql("CAST(:id AS bigint)")
    engine = create_engine(pg_database.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            in_sql = tuple(
                conn.execute(text(f"SELECT {code}, {reference}"), {"id": order_id}).one()
            )
    finally:
        engine.dispose()
    assert in_sql == transfer_marks(order_id)
    assert 1 <= in_sql[0] <= 999
