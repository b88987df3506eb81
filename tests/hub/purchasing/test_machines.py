"""Acceptance 1: the state machines of purchase order, receipt and supplier invoice, driven
at random by hypothesis. Whatever the sequence (allowed or refused moves, over-receipts,
reversals, payments, credit notes), stock, costs and payables stay consistent:

* each order line's ``received`` is the sum of its posted receipts; the order's state
  follows from its lines; a cancelled or unsent order received nothing;
* no line is past its ordered quantity unless a receipt line on it gave a reason;
* stock on hand = posted receipts, all of it in bins, serialised units in stock = on hand;
* average cost × on hand = landed value of the posted receipts (to rounding);
* an invoice's ``paid`` / ``credited`` are its payments / credit applications, never more
  than its total; it is ``paid`` exactly when it is settled to zero; credit notes never
  apply more than their amount; the ageing totals what the open invoices still owe.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from hub.core.db import make_engine, session_factory, transaction
from hub.inventory.models import Bin, Serial, StockItem
from hub.purchasing import costing, payables, receiving, service
from hub.purchasing.lifecycle import INVOICE, OPEN_INVOICE, PURCHASE_ORDER, RECEIPT
from hub.purchasing.models import (
    CreditApplication,
    CreditNote,
    InvoiceLine,
    PurchaseOrder,
    Receipt,
    ReceiptLine,
    SupplierInvoice,
    SupplierPayment,
)
from hub.purchasing.schemas import (
    CreditNoteIn,
    InvoiceCreate,
    InvoiceLineIn,
    PaymentIn,
    ReceiptCreate,
    ReceiptLineIn,
)
from shared.errors import SyncHubError
from tests.hub.purchasing.kit import BOSS, BUYER, FINANCE, STORE, Shop, draft, open_shop

D = Decimal
SKUS = ("MOUSE", "SSD")  # one plain, one serialised
REASONS = st.sampled_from(["", "supplier sent extra", "ok"])
_TEMPLATE: dict[str, Path] = {}


def _fresh_shop() -> Shop:
    """A copy of one migrated, seeded database (migrating per example would take seconds)."""
    if "db" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="po-machine-"))
        shop = open_shop(f"sqlite:///{folder / 'template.db'}", folder / "po")
        shop.engine.dispose()
        _TEMPLATE["db"] = folder / "template.db"
    folder = Path(tempfile.mkdtemp(prefix="po-machine-"))
    shutil.copy(_TEMPLATE["db"], folder / "hub.db")
    engine = make_engine(f"sqlite:///{folder / 'hub.db'}")
    shop = Shop(engine, session_factory(engine), folder / "po")
    with shop.factory() as s:
        from hub.catalog.models import Product
        from hub.purchasing.models import Supplier

        shop.products = dict(s.execute(select(Product.sku, Product.id)).all())
        shop.suppliers = dict(s.execute(select(Supplier.code, Supplier.id)).all())
    return shop


class Purchasing(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.shop = _fresh_shop()
        self.orders: list[int] = []
        self.receipts: list[int] = []
        self.invoices: list[int] = []
        self.credits: list[int] = []
        self.serial = 0

    def teardown(self) -> None:
        self.shop.engine.dispose()
        shutil.rmtree(Path(self.shop.engine.url.database or "").parent, ignore_errors=True)

    def _try(self, work) -> None:  # ANN001
        try:
            with transaction(self.shop.factory) as s:
                work(s)
        except SyncHubError:
            pass  # a refused move: the invariants check that it changed nothing

    def _in_states(self, *states: str) -> list[int]:
        with self.shop.factory() as s:
            return sorted(
                s.scalars(select(PurchaseOrder.id).where(PurchaseOrder.state.in_(states)))
            )

    @precondition(lambda self: len(self.orders) < 3)
    @rule(mouse=st.integers(0, 12), ssd=st.integers(0, 4))
    def create_order(self, mouse: int, ssd: int) -> None:
        lines = {k: v for k, v in (("MOUSE", mouse), ("SSD", ssd)) if v}
        if not lines:
            return
        with transaction(self.shop.factory) as s:
            self.orders.append(draft(self.shop, s, lines).id)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), event=st.sampled_from(sorted(PURCHASE_ORDER.events)), reason=REASONS)
    def fire_order(self, data: st.DataObject, event: str, reason: str) -> None:
        po_id = data.draw(st.sampled_from(self.orders))
        who = data.draw(st.sampled_from([BUYER, BOSS, STORE]))
        self._try(
            lambda s: service.fire(s, who, po_id, event, reason=reason, files=self.shop.files)
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def approve_and_send(self, data: st.DataObject) -> None:
        po_id = data.draw(st.sampled_from(self._in_states("draft") or self.orders))

        def work(s):  # ANN001, ANN202
            service.fire(s, BOSS, po_id, "approve")
            service.fire(s, BUYER, po_id, "send", files=self.shop.files)

        self._try(work)

    @precondition(lambda self: self.invoices)
    @rule(data=st.data())
    def approve_invoice(self, data: st.DataObject) -> None:
        inv = data.draw(st.sampled_from(self.invoices))
        self._try(lambda s: payables.fire(s, FINANCE, inv, "approve", reason="agreed"))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), post=st.booleans(), freight=st.integers(0, 100_000))
    def receive(self, data: st.DataObject, post: bool, freight: int) -> None:
        open_ = self._in_states("sent", "partly_received", "received")
        po_id = data.draw(st.sampled_from(open_ or self.orders))
        with self.shop.factory() as s:
            po = service.get_order(s, po_id)
            ssd = self.shop.products["SSD"]
            lines = []
            for ln in po.lines:
                qty = data.draw(st.integers(0, ln.quantity + 3))
                if not qty:
                    continue
                serials = []
                if ln.product_id == ssd:
                    serials = [f"S{self.serial + i}" for i in range(qty)]
                    self.serial += qty
                lines.append(
                    ReceiptLineIn(
                        order_line_id=ln.id,
                        quantity=qty,
                        serials=serials,
                        reason=data.draw(REASONS),
                    )
                )
        if not lines:
            return
        body = ReceiptCreate(lines=lines, post=post, freight=D(freight))

        def work(s):  # ANN001, ANN202
            self.receipts.append(receiving.create_receipt(s, STORE, po_id, body).id)

        self._try(work)

    @precondition(lambda self: self.receipts)
    @rule(data=st.data(), event=st.sampled_from(sorted(RECEIPT.events)), reason=REASONS)
    def fire_receipt(self, data: st.DataObject, event: str, reason: str) -> None:
        rid = data.draw(st.sampled_from(self.receipts))
        self._try(lambda s: receiving.fire(s, STORE, rid, event, reason=reason))

    @precondition(lambda self: self.orders)
    @rule(
        data=st.data(),
        markup=st.sampled_from([D(0), D("0.01"), D("0.05")]),
        n=st.integers(0, 10**6),
    )
    def register_invoice(self, data: st.DataObject, markup: Decimal, n: int) -> None:
        received = self._in_states("partly_received", "received", "closed")
        po_id = data.draw(st.sampled_from(received or self.orders))
        with self.shop.factory() as s:
            po = service.get_order(s, po_id)
            lines = [
                InvoiceLineIn(
                    order_line_id=ln.id,
                    quantity=data.draw(st.integers(1, ln.quantity + 2)),
                    unit_price=(ln.unit_cost * (1 + markup)).quantize(D("0.01")),
                )
                for ln in po.lines
            ]
        total = sum(ln.unit_price * ln.quantity for ln in lines)
        body = InvoiceCreate(
            order_id=po_id,
            number=f"INV-{n}",
            invoice_date=dt.date(2026, 12, 1),
            lines=lines,
            total=total,
        )

        def work(s):  # ANN001, ANN202
            self.invoices.append(payables.register_invoice(s, FINANCE, body).id)

        self._try(work)

    @precondition(lambda self: self.invoices)
    @rule(data=st.data(), event=st.sampled_from(sorted(INVOICE.events)), reason=REASONS)
    def fire_invoice(self, data: st.DataObject, event: str, reason: str) -> None:
        inv = data.draw(st.sampled_from(self.invoices))
        self._try(lambda s: payables.fire(s, FINANCE, inv, event, reason=reason))

    @precondition(lambda self: self.invoices)
    @rule(data=st.data(), part=st.sampled_from([D("0.3"), D("0.5"), D(1), D("1.2")]))
    def pay(self, data: st.DataObject, part: Decimal) -> None:
        inv_id = data.draw(st.sampled_from(self.invoices))
        with self.shop.factory() as s:
            amount = (payables.get_invoice(s, inv_id).outstanding * part).quantize(D("0.01"))
        if amount <= 0:
            return
        body = PaymentIn(amount=amount, paid_on=dt.date(2026, 12, 5))
        self._try(lambda s: payables.pay(s, FINANCE, inv_id, body))

    @precondition(lambda self: self.invoices and len(self.credits) < 2)
    @rule(amount=st.integers(1, 3_000_000), n=st.integers(0, 10**6))
    def credit_note(self, amount: int, n: int) -> None:
        body = CreditNoteIn(
            supplier_id=self.shop.suppliers["ACME"],
            number=f"CN-{n}",
            issued_on=dt.date(2026, 12, 5),
            amount=D(amount),
        )

        def work(s):  # ANN001, ANN202
            self.credits.append(payables.add_credit_note(s, FINANCE, body).id)

        self._try(work)

    @precondition(lambda self: self.credits and self.invoices)
    @rule(data=st.data(), amount=st.integers(1, 2_000_000))
    def apply_credit(self, data: st.DataObject, amount: int) -> None:
        cid, inv = (
            data.draw(st.sampled_from(self.credits)),
            data.draw(st.sampled_from(self.invoices)),
        )
        self._try(lambda s: payables.apply_credit(s, FINANCE, cid, inv, D(amount)))

    @invariant()
    def orders_and_stock_agree(self) -> None:
        with self.shop.factory() as s:
            posted: dict[int, int] = dict(
                s.execute(
                    select(ReceiptLine.order_line_id, func.sum(ReceiptLine.quantity))
                    .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
                    .where(Receipt.state == "posted")
                    .group_by(ReceiptLine.order_line_id)
                ).all()
            )
            reasoned = set(
                s.scalars(
                    select(ReceiptLine.order_line_id)
                    .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
                    .where(Receipt.state == "posted", ReceiptLine.reason != "")
                )
            )
            per_product: dict[int, int] = {}
            for po in s.scalars(select(PurchaseOrder)):
                for ln in po.lines:
                    assert ln.received == posted.get(ln.id, 0) >= 0
                    assert ln.received <= ln.quantity or ln.id in reasoned
                    per_product[ln.product_id] = per_product.get(ln.product_id, 0) + ln.received
                got = [ln.received for ln in po.lines]
                if po.state in ("draft", "approved", "cancelled"):
                    assert not any(got), (po.state, got)
                elif po.state == "sent":
                    assert not any(got)
                elif po.state == "partly_received":
                    assert any(got) and not all(ln.received >= ln.quantity for ln in po.lines)
                elif po.state == "received":
                    assert all(ln.received >= ln.quantity for ln in po.lines)
            landed = dict(
                s.execute(
                    select(ReceiptLine.product_id, func.sum(ReceiptLine.landed_total))
                    .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
                    .where(Receipt.state == "posted")
                    .group_by(ReceiptLine.product_id)
                ).all()
            )
            averages = costing.average_costs(s)
            for sku in SKUS:
                pid = self.shop.products[sku]
                item = s.get(StockItem, pid)
                on_hand = item.on_hand if item else 0
                assert on_hand == per_product.get(pid, 0)
                assert (
                    s.scalar(
                        select(func.coalesce(func.sum(Bin.on_hand), 0)).where(Bin.product_id == pid)
                    )
                    == on_hand
                )
                if sku == "SSD":
                    in_stock = s.scalar(
                        select(func.count()).where(
                            Serial.product_id == pid, Serial.state == "in_stock"
                        )
                    )
                    assert in_stock == on_hand
                if on_hand:
                    value = averages[pid] * on_hand
                    assert abs(value - D(landed.get(pid, 0))) <= D("0.0001") * on_hand * 20, (
                        sku,
                        value,
                        landed.get(pid),
                    )

    @invariant()
    def payables_agree(self) -> None:
        with self.shop.factory() as s:
            paid = dict(
                s.execute(
                    select(SupplierPayment.invoice_id, func.sum(SupplierPayment.amount)).group_by(
                        SupplierPayment.invoice_id
                    )
                ).all()
            )
            credited = dict(
                s.execute(
                    select(
                        CreditApplication.invoice_id, func.sum(CreditApplication.amount)
                    ).group_by(CreditApplication.invoice_id)
                ).all()
            )
            owed = D(0)
            for inv in s.scalars(select(SupplierInvoice)):
                assert D(inv.paid) == D(paid.get(inv.id, 0)) and D(inv.credited) == D(
                    credited.get(inv.id, 0)
                )
                assert 0 <= inv.outstanding <= inv.total
                assert (inv.state == "paid") == (
                    inv.state in ("approved", "partly_paid", "paid") and inv.outstanding == 0
                )
                if inv.state == "partly_paid":
                    assert inv.paid + inv.credited > 0
                if inv.state in ("matched", "held"):
                    assert inv.paid == 0 and (inv.state == "held") == bool(inv.problems)
                if inv.state in OPEN_INVOICE:
                    owed += inv.outstanding
                assert s.scalar(select(func.count()).where(InvoiceLine.invoice_id == inv.id)) >= 1
            for note in s.scalars(select(CreditNote)):
                used = s.scalar(
                    select(func.coalesce(func.sum(CreditApplication.amount), 0)).where(
                        CreditApplication.credit_note_id == note.id
                    )
                )
                assert D(note.applied) == D(used) <= D(note.amount)
            ageing = payables.ageing(s, dt.date(2027, 1, 31))
            assert sum((ln.total for ln in ageing), D(0)) == owed


Purchasing.TestCase.settings = settings(
    max_examples=int(__import__("os").environ.get("SYNCHUB_MACHINE_EXAMPLES", "25")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
test_purchasing_state_machines = pytest.mark.slow(Purchasing.TestCase)
