"""Property tests for the order's money arithmetic and the Rupiah formatting on documents."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hub.orders.documents import rupiah
from hub.orders.models import Order

money = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False)


@given(subtotal=money, fee=money, paid=money, code=st.integers(0, 999))
def test_due_and_overpaid_partition_the_difference(
    subtotal: Decimal, fee: Decimal, paid: Decimal, code: int
) -> None:
    o = Order(subtotal=subtotal, shipping_fee=fee, paid_amount=paid, unique_code=code)
    assert o.transfer_amount == subtotal + fee + code
    assert o.amount_due - o.overpaid == o.transfer_amount - paid
    assert o.amount_due >= 0 and o.overpaid >= 0 and (o.amount_due == 0 or o.overpaid == 0)
    assert o.amount_due.as_tuple().exponent == -2


@given(amount=money)
def test_rupiah_round_trips(amount: Decimal) -> None:
    text = rupiah(amount)
    assert text.startswith("Rp ")
    assert Decimal(text[3:].replace(".", "").replace(",", ".")) == amount
