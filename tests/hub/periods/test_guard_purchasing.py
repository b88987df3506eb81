"""The lock covers purchasing too: supplier invoices, payments and credit notes dated in a
closed month; paying a January invoice in February is February's and goes through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from hub.core.db import transaction
from hub.periods import service as periods
from hub.periods.guard import PeriodClosed
from hub.purchasing import payables
from hub.purchasing.models import SupplierInvoice
from hub.purchasing.schemas import CreditNoteIn, PaymentIn
from tests.hub.periods.kit import FIN, JAN
from tests.hub.purchasing.kit import FINANCE, open_shop, receive, sent_order
from tests.hub.purchasing.test_payables import _invoice

D = Decimal


def test_supplier_documents_of_a_closed_month(tmp_path: Path) -> None:
    shop = open_shop(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "files")
    po = sent_order(shop, {"MOUSE": 10})
    receive(shop, po, {"MOUSE": 10})
    inv = _invoice(
        shop,
        po,
        "INV-A",
        {"MOUSE": 10},
        {"MOUSE": "50000"},
        tax=D(0),
        invoice_date=dt.date(2026, 1, 28),
    )
    with transaction(shop.factory) as s:
        payables.fire(s, FINANCE, inv, "approve")
    with transaction(shop.factory) as s:
        periods.close(s, FIN, JAN)

    # a January invoice paid in February: the payment is February's
    with transaction(shop.factory) as s:
        payables.pay(s, FINANCE, inv, PaymentIn(amount=D("200000"), paid_on=dt.date(2026, 2, 3)))
    # a payment back-dated into January, a January credit note, cancelling the invoice: refused
    with pytest.raises(PeriodClosed, match="supplier payment"), transaction(shop.factory) as s:
        payables.pay(s, FINANCE, inv, PaymentIn(amount=D("1000"), paid_on=dt.date(2026, 1, 31)))
    with pytest.raises(PeriodClosed, match="credit note CN-1"), transaction(shop.factory) as s:
        supplier = s.get(SupplierInvoice, inv).supplier_id
        payables.add_credit_note(
            s,
            FINANCE,
            CreditNoteIn(
                supplier_id=supplier, number="CN-1", issued_on=dt.date(2026, 1, 30), amount=D(5)
            ),
        )
    with (
        pytest.raises(PeriodClosed, match="supplier invoice INV-A"),
        transaction(shop.factory) as s,
    ):
        s.get(SupplierInvoice, inv).total = D("1")
        s.flush()
    with shop.factory() as s:
        assert s.get(SupplierInvoice, inv).paid == D("200000.00")
    shop.engine.dispose()
