"""Acceptance 2: a hypothesis state machine over the order lifecycle.

Any role may try any event on any order; the test's own picture of the
issue's lifecycle says what may happen. Invariants after every step: no
state change outside the allowed edges, and per product
``on_hand + shipped == received``, ``reserved == quantities of orders holding stock``,
``0 <= reserved <= on_hand``.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.inventory import service as stock
from hub.inventory.models import StockItem
from hub.inventory.service import InsufficientStock
from hub.orders.fulfilment import ship
from hub.orders.lifecycle import IllegalTransition, TransitionForbidden
from hub.orders.models import Order
from hub.orders.service import LineRequest, apply_event, book_payment, create_order, get_order
from shared.errors import NotFound
from tests.hub.orders.helpers import FINANCE, INVENTORY, OPS, R1, R2, open_db, seed

# The lifecycle, written independently of hub.orders.lifecycle.
EDGES = {
    ("draft", "placed"),
    ("placed", "awaiting_payment"),
    ("awaiting_payment", "partially_paid"),
    ("partially_paid", "partially_paid"),
    ("awaiting_payment", "paid"),
    ("partially_paid", "paid"),
    ("paid", "packed"),
    ("packed", "shipped"),
    ("shipped", "delivered"),
    ("delivered", "completed"),
    ("awaiting_payment", "expired"),
} | {
    (s, "cancelled")
    for s in ("draft", "placed", "awaiting_payment", "partially_paid", "paid", "packed")
}
HOLDING = {"placed", "awaiting_payment", "partially_paid", "paid", "packed"}
GONE = {"shipped", "delivered", "completed"}
# Who must never be able to do what.
NEVER = {
    Role.RESELLER: {"pay_full", "pay_partial", "pack", "ship", "expire"},
    Role.FINANCE: {"pack", "ship", "deliver", "expire", "cancel"},
    Role.INVENTORY: {"pay_full", "pay_partial", "expire", "cancel"},
}
ACTORS = [R1, FINANCE, INVENTORY, OPS, None]
EVENTS = [
    "cancel",
    "pack",
    "ship",
    "deliver",
    "complete",
    "expire",
    "pay_partial",
    "pay_full",
    "bogus",
]
SKUS = ["A", "B", "C"]


class OrderMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.hub = seed(
            open_db(f"sqlite:///{Path(self.tmp.name) / 'hub.db'}"), {s: 5 for s in SKUS}
        )
        self.received = {self.hub.products[s]: 5 for s in SKUS}
        self.orders: list[int] = []

    def teardown(self) -> None:
        if hasattr(self, "hub"):
            self.hub.engine.dispose()
            self.tmp.cleanup()

    @rule(
        lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)), min_size=1, max_size=4)
    )
    def order(self, lines: list[tuple[str, int]]) -> None:
        before = self._count()
        try:
            with transaction(self.hub.factory) as s:
                o = create_order(
                    s,
                    R1,
                    "r1",
                    [LineRequest(q, product_id=self.hub.products[k]) for k, q in lines],
                    self.hub.ctx,
                )
            self.orders.append(o.id)
        except InsufficientStock:
            assert self._count() == before  # nothing stored half-way

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 6))
    def receive(self, sku: str, qty: int) -> None:
        with transaction(self.hub.factory) as s:
            stock.receive(s, self.hub.products[sku], qty)
        self.received[self.hub.products[sku]] += qty

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data(), event=st.sampled_from(EVENTS), actor=st.sampled_from(ACTORS))
    def fire(self, data: st.DataObject, event: str, actor: Principal | None) -> None:
        order_id = data.draw(st.sampled_from(self.orders))
        before = self._state(order_id)
        try:
            with transaction(self.hub.factory) as s:
                order = get_order(s, actor, order_id, lock=True)
                if event in ("pay_full", "pay_partial"):
                    due = max(order.amount_due, Decimal(1))
                    amount = (
                        due
                        if event == "pay_full"
                        else max((due / 2).quantize(Decimal(1)), Decimal(1))
                    )
                    book_payment(s, actor, order, amount)
                elif event == "ship":
                    ship(s, actor, order, courier="JNE", service="REG", waybill="JNE123")
                else:
                    apply_event(s, actor, order, event)
        except (IllegalTransition, TransitionForbidden, InsufficientStock):
            assert self._state(order_id) == before
            return
        after = self._state(order_id)
        assert (before, after) in EDGES, (before, after, event)
        if actor is not None:
            assert event not in NEVER.get(actor.role, set()), (actor.role, event)
        else:
            assert event in ("expire", "pay_full", "pay_partial", "complete"), event

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data())
    def progress(self, data: st.DataObject) -> None:
        """Move an order one step along the happy path, so every state is reached often."""
        order_id = data.draw(st.sampled_from(self.orders))
        step = {
            "awaiting_payment": ("pay_full", FINANCE),
            "partially_paid": ("pay_full", FINANCE),
            "paid": ("pack", INVENTORY),
            "packed": ("ship", INVENTORY),
            "shipped": ("deliver", R1),
            "delivered": ("complete", OPS),
        }.get(self._state(order_id))
        if step is not None:
            self.fire(data, *step)

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data())
    def stranger_cannot_touch(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(self.orders))
        before = self._state(order_id)
        try:
            with transaction(self.hub.factory) as s:
                apply_event(s, R2, get_order(s, R2, order_id), "cancel")
        except Exception as exc:
            assert isinstance(exc, NotFound), exc
        else:
            raise AssertionError("another reseller cancelled r1's order")
        assert self._state(order_id) == before

    @invariant()
    def stock_reconciles(self) -> None:
        if not hasattr(self, "hub"):
            return
        with self.hub.factory() as s:
            orders = s.query(Order).all()
            for item in s.query(StockItem).all():
                held = sum(
                    o.quantities().get(item.product_id, 0) for o in orders if o.state in HOLDING
                )
                gone = sum(
                    o.quantities().get(item.product_id, 0) for o in orders if o.state in GONE
                )
                assert item.on_hand + item.shipped == self.received[item.product_id]
                assert item.reserved == held and item.shipped == gone
                assert 0 <= item.reserved <= item.on_hand

    def _state(self, order_id: int) -> str:
        with self.hub.factory() as s:
            return s.get(Order, order_id).state

    def _count(self) -> int:
        with self.hub.factory() as s:
            return s.query(Order).count()


OrderMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestOrderLifecycle = OrderMachine.TestCase
