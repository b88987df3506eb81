"""Payables: three-way match with tolerance, due dates from terms, payments, credit notes, ageing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from hub.core.db import transaction
from hub.purchasing import payables, receiving
from hub.purchasing.matching import InvoicedLine, OrderedLine, Tolerance, match
from hub.purchasing.schemas import CreditNoteIn, InvoiceCreate, InvoiceLineIn, PaymentIn
from shared.errors import Conflict, DataError
from tests.hub.purchasing.kit import (
    FINANCE,
    STORE,
    D,
    Shop,
    line_ids,
    open_shop,
    receive,
    sent_order,
)


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return open_shop(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "po")


def test_match_rules_worked_by_hand() -> None:
    ordered = {1: OrderedLine(1, 10, D("50000"), received=8, invoiced_before=2)}
    # 49.000 is 2 % under 50.000: inside; 6 + 2 earlier = 8 received: inside; 294.000 + 0 tax
    assert match([InvoicedLine(1, 6, D("49000"))], ordered, D(0), D("294000")) == []
    problems = match([InvoicedLine(1, 7, D("48999"))], ordered, D("10"), D("400000"))
    assert problems == [
        "product #10: invoiced at 48999, ordered at 50000 (tolerance 2 %)",
        "product #10: 7 invoiced (+2 on earlier invoices), 8 received",
        "total 400000 is not lines 342993 + tax 10 = 343003",
    ]
    loose = Tolerance(quantity_pct=D("25"))  # 8 × 1,25 = 10 units may be invoiced
    assert match([InvoicedLine(1, 8, D("50000"))], ordered, D(0), D("400000"), loose) == []


def _invoice(
    shop: Shop, po_id: int, number: str, qty: dict[str, int], price: dict[str, str], **kw
) -> int:
    ids = line_ids(shop, po_id)
    lines = [
        InvoiceLineIn(order_line_id=ids[shop.products[sku]], quantity=q, unit_price=D(price[sku]))
        for sku, q in qty.items()
    ]
    subtotal = sum(ln.unit_price * ln.quantity for ln in lines)
    tax = kw.pop("tax", (subtotal * D("0.11")).quantize(D("0.01")))
    data = InvoiceCreate(
        order_id=po_id,
        number=number,
        invoice_date=kw.pop("invoice_date", dt.date(2026, 12, 1)),
        lines=lines,
        tax=tax,
        total=kw.pop("total", subtotal + tax),
    )
    with transaction(shop.factory) as s:
        return payables.register_invoice(s, FINANCE, data).id


def _inv(shop: Shop, invoice_id: int):  # ANN202
    with shop.factory() as s:
        return payables.get_invoice(s, invoice_id)


def test_an_invoice_before_the_goods_is_held_and_matches_once_they_arrive(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 10})
    inv_id = _invoice(shop, po_id, "INV-77", {"MOUSE": 10}, {"MOUSE": "50000"})
    inv = _inv(shop, inv_id)
    assert (inv.state, inv.problems) == ("held", ["product #2: 10 invoiced, 0 received"])
    assert inv.due_on == dt.date(2026, 12, 31)  # ACME: 30 days after the invoice date
    assert inv.total == D("555000.00")  # 500.000 + 11 % PPN
    receive(shop, po_id, {"MOUSE": 10})
    assert (_inv(shop, inv_id).state, _inv(shop, inv_id).problems) == ("matched", [])
    with pytest.raises(Conflict, match="is already booked"):
        _invoice(shop, po_id, "INV-77", {"MOUSE": 1}, {"MOUSE": "50000"})


def test_held_needs_an_override_reason_then_payments_settle_it(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 10})
    receive(shop, po_id, {"MOUSE": 10})
    inv_id = _invoice(shop, po_id, "INV-1", {"MOUSE": 10}, {"MOUSE": "52000"})  # 4 % over
    assert _inv(shop, inv_id).state == "held"
    with (
        pytest.raises(Conflict, match="only approved invoices are paid"),
        transaction(shop.factory) as s,
    ):
        payables.pay(s, FINANCE, inv_id, PaymentIn(amount=D(1), paid_on=dt.date(2026, 12, 2)))
    with pytest.raises(DataError, match="needs a reason"), transaction(shop.factory) as s:
        payables.fire(s, FINANCE, inv_id, "approve")
    with transaction(shop.factory) as s:
        payables.fire(s, FINANCE, inv_id, "approve", reason="price rise agreed by phone")
    total = _inv(shop, inv_id).total  # 520.000 + 57.200
    assert total == D("577200.00")
    with (
        pytest.raises(DataError, match="more than the 577200.00 still owed"),
        transaction(shop.factory) as s,
    ):
        payables.pay(s, FINANCE, inv_id, PaymentIn(amount=total + 1, paid_on=dt.date(2026, 12, 2)))
    with transaction(shop.factory) as s:
        payables.pay(
            s, FINANCE, inv_id, PaymentIn(amount=D("500000"), paid_on=dt.date(2026, 12, 2))
        )
    assert (_inv(shop, inv_id).state, _inv(shop, inv_id).outstanding) == (
        "partly_paid",
        D("77200.00"),
    )
    with transaction(shop.factory) as s:
        payables.pay(s, FINANCE, inv_id, PaymentIn(amount=D("77200"), paid_on=dt.date(2026, 12, 3)))
    assert (_inv(shop, inv_id).state, _inv(shop, inv_id).outstanding) == ("paid", D("0.00"))


def test_credit_notes_settle_invoices_of_their_supplier_only(shop: Shop) -> None:
    acme = sent_order(shop, {"MOUSE": 10})
    receive(shop, acme, {"MOUSE": 10})
    inv_id = _invoice(shop, acme, "A-1", {"MOUSE": 10}, {"MOUSE": "50000"}, tax=D(0))
    with transaction(shop.factory) as s:
        payables.fire(s, FINANCE, inv_id, "approve")
        note = payables.add_credit_note(
            s,
            FINANCE,
            CreditNoteIn(
                supplier_id=shop.suppliers["ACME"],
                number="CN-9",
                issued_on=dt.date(2026, 12, 5),
                amount=D("600000"),
            ),
        )
        other = payables.add_credit_note(
            s,
            FINANCE,
            CreditNoteIn(
                supplier_id=shop.suppliers["BETA"],
                number="CN-1",
                issued_on=dt.date(2026, 12, 5),
                amount=D("10"),
            ),
        )
        note_id, other_id = note.id, other.id
    with pytest.raises(DataError, match="another supplier's"), transaction(shop.factory) as s:
        payables.apply_credit(s, FINANCE, other_id, inv_id, D("10"))
    with pytest.raises(DataError, match="only 500000.00 is owed"), transaction(shop.factory) as s:
        payables.apply_credit(s, FINANCE, note_id, inv_id, D("600000"))
    with transaction(shop.factory) as s:
        payables.apply_credit(s, FINANCE, note_id, inv_id, D("500000"))
    assert _inv(shop, inv_id).state == "paid"
    with shop.factory() as s:
        (acme_row, beta_row) = sorted(
            payables.ageing(s, dt.date(2026, 12, 31)), key=lambda r: r.supplier
        )
        assert (acme_row.total, acme_row.unapplied_credit) == (D(0), D("100000.00"))
        assert (beta_row.total, beta_row.unapplied_credit) == (D(0), D("10.00"))


def test_ageing_buckets_by_days_past_due(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 40})
    receive(shop, po_id, {"MOUSE": 40})
    for n, day in enumerate(
        (dt.date(2026, 12, 1), dt.date(2026, 11, 1), dt.date(2026, 9, 15), dt.date(2026, 6, 1))
    ):
        _invoice(
            shop, po_id, f"I-{n}", {"MOUSE": 10}, {"MOUSE": "1000"}, tax=D(0), invoice_date=day
        )
    with shop.factory() as s:
        (row,) = payables.ageing(s, dt.date(2026, 12, 31))
    # due 31 Dec (0 days: current), 1 Dec (30), 15 Oct (77), 1 Jul (183)
    assert row.amounts == {
        "current": D("10000.00"),
        "days_1_30": D("10000.00"),
        "days_31_60": D(0),
        "days_61_90": D("10000.00"),
        "over_90": D("10000.00"),
    }
    assert row.total == D("40000.00")


def test_a_receipt_cannot_be_reversed_under_an_approved_invoice(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 10})
    rid = receive(shop, po_id, {"MOUSE": 10})
    inv_id = _invoice(shop, po_id, "INV-5", {"MOUSE": 10}, {"MOUSE": "50000"})
    with transaction(shop.factory) as s:
        payables.fire(s, FINANCE, inv_id, "approve")
    with (
        pytest.raises(Conflict, match="10 approved for payment, 0 would remain"),
        transaction(shop.factory) as s,
    ):
        receiving.fire(s, STORE, rid, "reverse", reason="wrong goods")
    with transaction(shop.factory) as s:
        payables.fire(s, FINANCE, inv_id, "cancel", reason="supplier re-issues it")
        receiving.fire(s, STORE, rid, "reverse", reason="wrong goods")
    assert _inv(shop, inv_id).state == "cancelled"


def test_amounts_with_more_than_two_decimals_are_refused() -> None:
    with pytest.raises(ValueError):
        PaymentIn(amount=Decimal("1.001"), paid_on=dt.date(2026, 1, 1))
