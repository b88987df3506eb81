"""Order use cases: build, place, move through the lifecycle, book payments.

Nothing here commits: callers wrap one use case in one transaction
(``hub.core.db.transaction`` or :func:`hub.orders.idempotency.run_once`), so a
refused order leaves nothing behind. Locks are always taken in the same
order — the order row, then stock rows by ascending product id, then the
invoice counter — so concurrent use cases cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import AUDIT_LOG, entries, record_many
from hub.core.db import utcnow
from hub.core.roles import Principal, can_see_reseller, restrict
from hub.core.settings import HubSettings
from hub.inventory import service as stock
from hub.notifications.service import notify
from hub.orders import lifecycle
from hub.orders.catalog import Catalog, Found, NotPriced, ProductFacts
from hub.orders.lifecycle import SYSTEM, State, Stock
from hub.orders.models import Order, OrderLine
from hub.orders.numbering import next_invoice_number, transfer_marks
from hub.orders.shipping import FlatShipping, ShippingQuoter
from hub.orders.store import Companion, insert_order
from hub.resellers.service import require_enabled
from shared.errors import DataError, NotFound, problem

MAX_LINES = 500
MAX_PAGE = 500  # orders per page of a list
MAX_QUANTITY = 1_000_000


class OrderNotFound(NotFound):
    """No order with that id is visible to the caller (another reseller's order looks the same)."""


class OrderInputError(DataError):
    """The order request is wrong; ``context['problems']`` lists every problem found."""


@dataclass(frozen=True)
class LineRequest:
    quantity: Any
    product_id: Optional[int] = None
    sku: Optional[str] = None


@dataclass(frozen=True)
class OrderPolicy:
    """Payment window and grace before an unpaid order expires (see docs/orders.md)."""

    payment_window: dt.timedelta = dt.timedelta(days=7)
    grace: dt.timedelta = dt.timedelta(days=1)
    remind_before: dt.timedelta = dt.timedelta(days=1)

    @classmethod
    def from_settings(cls, settings: HubSettings) -> OrderPolicy:
        """``SYNCHUB_ORDER_PAYMENT_DAYS`` (default 7) and ``SYNCHUB_ORDER_GRACE_HOURS`` (default 24),
        validated with the rest of the settings at start-up."""
        return cls(
            payment_window=dt.timedelta(days=settings.order_payment_days),
            grace=dt.timedelta(hours=settings.order_grace_hours),
        )


@dataclass
class OrderContext:
    """What placing needs besides the session: catalog, shipping, policy."""

    catalog: Catalog
    shipping: ShippingQuoter = field(default_factory=FlatShipping)
    policy: OrderPolicy = field(default_factory=OrderPolicy)


def actor_of(principal: Optional[Principal]) -> str:
    return SYSTEM if principal is None else principal.role.value


def snapshot(order: Order) -> dict[str, Any]:
    """The audit's before/after picture of an order."""
    return {
        "state": order.state,
        "paid_amount": str(order.paid_amount),
        "waybill": order.waybill,
        "shipping_fee": str(order.shipping_fee),
    }


def get_order(
    session: Session, principal: Optional[Principal], order_id: int, *, lock: bool = False
) -> Order:
    """The order if ``principal`` may see it (None = the hub itself); row-locked with ``lock``."""
    stmt = select(Order).where(Order.id == order_id)
    if principal is not None:
        stmt = restrict(stmt, principal, Order.reseller_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(of=Order)
    order = session.execute(stmt).scalar()
    if order is None:
        raise OrderNotFound(
            "no order #{order_id}",
            hint="check the order number in your order list",
            order_id=order_id,
        )
    return order


Audit = list[
    tuple[str, Optional[dict[str, Any]], dict[str, Any]]
]  # (action, before, after) held back


def _write_audit(
    session: Session, principal: Optional[Principal], order: Order, audit: Audit
) -> None:
    """Write held-back audit rows together (one statement)."""
    record_many(session, principal, "order", order.id, audit)
    audit.clear()


def _resolve_lines(
    session: Session, catalog: Catalog, reseller_id: str, lines: Sequence[LineRequest]
) -> tuple[dict[int, int], dict[int, ProductFacts], Found]:
    """Validate every line at once and sum quantities per product (the products found with the
    reseller's price book of them: one statement)."""
    problems: list[Any] = []
    if not lines:
        problems.append(problem("lines", "add at least one product with a quantity"))
    if len(lines) > MAX_LINES:
        problems.append(
            problem(
                "lines",
                "{count} lines; at most {maximum} are accepted",
                count=len(lines),
                maximum=MAX_LINES,
            )
        )
    skus = {str(line.sku).strip() for line in lines if line.sku}
    ids = {int(line.product_id) for line in lines if line.product_id is not None}
    found = catalog.find(session, reseller_id, ids=ids, skus=skus) if not problems else Found([])
    by_id = {f.id: f for f in found.products}
    by_sku = {f.sku: f for f in found.products}
    wanted: dict[int, int] = {}
    for n, line in enumerate(lines, 1):
        qty = line.quantity
        if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_QUANTITY:
            problems.append(
                problem(
                    f"line {n}",
                    "quantity must be a whole number from 1 to {maximum}, got {value}",
                    maximum=MAX_QUANTITY,
                    value=repr(qty),
                )
            )
            continue
        product = (
            by_id.get(int(line.product_id))
            if line.product_id is not None
            else by_sku.get(str(line.sku or "").strip())
        )
        if product is None:
            problems.append(
                problem(
                    f"line {n}",
                    "product #{product_id} is not in the catalog",
                    product_id=line.product_id,
                )
                if line.product_id is not None
                else problem(f"line {n}", "SKU {sku} is not in the catalog", sku=repr(line.sku))
            )
            continue
        if not product.active:
            problems.append(problem(f"line {n}", "{sku} is no longer sold", sku=product.sku))
            continue
        wanted[product.id] = wanted.get(product.id, 0) + qty
    if problems:
        raise OrderInputError(
            "the order has {count} problem(s)",
            hint="fix these lines and send the order again",
            problems=problems,
            count=len(problems),
        )
    return wanted, by_id, found


def priced_lines(
    session: Session,
    reseller_id: str,
    lines: Sequence[LineRequest],
    ctx: OrderContext,
    now: dt.datetime,
) -> list[OrderLine]:
    """One line per product with the reseller's price for the summed quantity, frozen now."""
    return _priced(session, reseller_id, lines, ctx, now)[0]


def _priced(
    session: Session,
    reseller_id: str,
    lines: Sequence[LineRequest],
    ctx: OrderContext,
    now: dt.datetime,
) -> tuple[list[OrderLine], dict[int, ProductFacts]]:
    """The priced lines and the facts of their products (kept for shipping: no second lookup)."""
    wanted, facts, found = _resolve_lines(session, ctx.catalog, reseller_id, lines)
    prices = ctx.catalog.prices(
        session, reseller_id, wanted, now, facts, found.book
    )  # all lines, one book
    out, unpriced = [], []
    for pid in sorted(wanted):
        price = prices[pid]
        if isinstance(price, NotPriced):
            unpriced.append((facts[pid].sku, price.template, price.context))
            continue
        out.append(
            OrderLine(
                product_id=pid,
                sku=facts[pid].sku,
                name=facts[pid].name[:200],
                quantity=wanted[pid],
                unit_price=price.unit_price,
                price_rule=price.rule[:120],
                options=facts[pid].options[:200],
            )
        )
    if unpriced:
        raise NotPriced(
            "{count} product(s) are not in your price list",
            count=len(unpriced),
            hint="remove these products or ask the distributor to price them",
            problems=unpriced,
        )
    return out, facts


def _new_order(
    session: Session,
    principal: Optional[Principal],
    reseller_id: str,
    lines: Sequence[LineRequest],
    ctx: OrderContext,
    *,
    source: str,
    offer_id: Optional[int],
    note: str,
    now: dt.datetime,
) -> tuple[Order, dict[int, ProductFacts]]:
    """A draft in memory (not yet in the session) with prices frozen from the reseller's price list."""
    if not can_see_reseller(principal, reseller_id):
        raise OrderNotFound("no reseller {reseller_id}", reseller_id=reseller_id)
    require_enabled(session, reseller_id)  # a disabled reseller orders nothing, cached token or not
    priced, facts = _priced(session, reseller_id, lines, ctx, now)
    order = Order(
        reseller_id=reseller_id,
        state=State.DRAFT.value,
        source=source,
        offer_id=offer_id,
        note=note[:2000],
        subtotal=sum((line.line_total for line in priced), Decimal(0)),
        shipping_fee=Decimal(0),
        paid_amount=Decimal(0),
        unique_code=0,
        pending_proofs=0,
        waybill="",
        shipping_courier="",
        shipping_service="",
        shipping_note="",
        currency="IDR",
        down_payment=Decimal(0),
        ship_to_name="",
        ship_to_phone="",
        ship_to_address="",
        created_at=now,
        updated_at=now,
        lines=priced,
    )  # every column but the nullable ones: written by Core, no defaults
    return order, facts


def apply_event(
    session: Session,
    principal: Optional[Principal],
    order: Order,
    event: str,
    *,
    warehouse_id: Optional[int] = None,
    **changes: Any,
) -> Order:
    """Fire ``event`` if the table allows it for the caller's role; apply its stock effect; audit it.

    ``warehouse_id``: where shipped goods leave from (first; default the first active one).
    """
    audit: Audit = []
    _fire(session, principal, order, event, changes, audit, warehouse_id)
    session.flush()
    _write_audit(session, principal, order, audit)
    return order


def _fire(
    session: Session,
    principal: Optional[Principal],
    order: Order,
    event: str,
    changes: dict[str, Any],
    audit: Audit,
    warehouse_id: Optional[int] = None,
) -> None:
    """:func:`apply_event` without flushing; its audit row is held back in ``audit``."""
    t = lifecycle.check(State(order.state), event, actor_of(principal))
    before = snapshot(order)
    if t.stock is Stock.RESERVE:
        stock.reserve(session, order.quantities())
    elif t.stock is Stock.RELEASE:
        stock.release(session, order.quantities())
    elif t.stock is Stock.SHIP:
        stock.ship(session, order.quantities(), warehouse_id=warehouse_id)
    for name, value in changes.items():
        setattr(order, name, value)
    order.state = t.target.value
    audit.append((f"order.{event}", before, snapshot(order)))


def place(
    session: Session,
    principal: Optional[Principal],
    order: Order,
    ctx: OrderContext,
    *,
    now: Optional[dt.datetime] = None,
) -> Order:
    """Reserve stock, freeze the shipping fee, number the invoice, and ask for payment."""
    require_enabled(session, order.reseller_id)
    now = now or utcnow()
    audit: Audit = []
    _reserve(session, principal, order, ctx, audit, None, now)
    _write_audit(session, principal, order, audit)
    # Last: the invoice counter's row lock serializes placements until commit. The order is
    # tracked, so the session writes these attributes at commit.
    order.unique_code, order.payment_reference = transfer_marks(order.id)
    order.invoice_number = next_invoice_number(session, now.year)
    _numbered(session, order, now)
    return order


def _reserve(
    session: Session,
    principal: Optional[Principal],
    order: Order,
    ctx: OrderContext,
    audit: Audit,
    facts: Optional[dict[int, ProductFacts]],
    now: dt.datetime,
) -> None:
    """Place and ask for payment: reserve the stock and freeze the shipping fee (audit rows held back)."""
    if facts is None:
        facts = {
            f.id: f
            for f in ctx.catalog.products(session, ids=[ln.product_id for ln in order.lines])
        }
    parcels = [(facts[ln.product_id], ln.quantity) for ln in order.lines if ln.product_id in facts]
    choice = ctx.shipping.choose(session, order.reseller_id, parcels, order.subtotal)
    _fire(
        session,
        principal,
        order,
        "place",
        dict(
            placed_at=now,
            shipping_fee=choice.fee,
            shipping_courier=choice.courier,
            shipping_service=choice.service,
            shipping_note=choice.note[:200],
        ),
        audit,
    )
    _fire(
        session,
        principal,
        order,
        "request_payment",
        dict(payment_due_at=now + ctx.policy.payment_window),
        audit,
    )


def _numbered(session: Session, order: Order, now: dt.datetime) -> None:
    """A placed order's number is known: tell the reseller how to pay."""
    due = order.payment_due_at or now
    notify(
        session,
        order.reseller_id,
        "order_placed",
        {
            "order_id": order.id,
            "invoice": order.invoice_number,
            "amount": order.transfer_amount,
            "reference": order.payment_reference,
            "due": due.date().isoformat(),
        },
    )


def create_order(
    session: Session,
    principal: Optional[Principal],
    reseller_id: str,
    lines: Sequence[LineRequest],
    ctx: OrderContext,
    *,
    source: str = "api",
    offer_id: Optional[int] = None,
    note: str = "",
    submit: bool = True,
    now: Optional[dt.datetime] = None,
) -> Order:
    """Build and (unless ``submit`` is False: a cart) place an order in the caller's transaction.

    The hot path of the hub (see docs/orders.md, "Benchmark"): the order is built in memory,
    products are looked up once (facts reused for shipping), and everything is written with
    a few Core statements (:mod:`hub.orders.store`: the order, its lines and invoice number),
    the audit rows together. The returned order is not tracked by the session: to change it in the same
    transaction, load it with :func:`get_order`.
    """
    now = now or utcnow()
    order, facts = _new_order(
        session,
        principal,
        reseller_id,
        lines,
        ctx,
        source=source,
        offer_id=offer_id,
        note=note,
        now=now,
    )
    audit: Audit = [("order.create", None, snapshot(order))]
    if submit:
        _reserve(session, principal, order, ctx, audit, facts, now)
    insert_order(
        session,
        order,
        placed_in=now.year if submit else None,
        companions=[Companion(AUDIT_LOG, entries(principal, "order", None, audit), "entity_id")],
    )
    if submit:
        _numbered(session, order, now)
    return order


def reorder(
    session: Session, principal: Principal, order_id: int, ctx: OrderContext, *, submit: bool = True
) -> Order:
    """A new order with the same products and quantities, priced today."""
    old = get_order(session, principal, order_id)
    lines = [LineRequest(quantity=ln.quantity, product_id=ln.product_id) for ln in old.lines]
    return create_order(
        session, principal, old.reseller_id, lines, ctx, source="reorder", submit=submit
    )


def book_payment(
    session: Session, principal: Optional[Principal], order: Order, amount: Decimal
) -> Order:
    """Credit a confirmed transfer: paid when nothing is due any more, else partially paid.

    Over-payment is kept visible as ``order.overpaid`` (to refund or credit), never hidden.
    """
    if amount <= 0:
        raise DataError("a payment must be positive, got {amount}", amount=amount)
    paid = Decimal(order.paid_amount) + amount
    event = "pay_full" if paid >= order.transfer_amount else "pay_partial"
    return apply_event(session, principal, order, event, paid_amount=paid)


def list_orders(
    session: Session,
    principal: Principal,
    *,
    reseller_id: Optional[str] = None,
    state: Optional[str] = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Order]:
    stmt = restrict(select(Order), principal, Order.reseller_id)
    if reseller_id:
        stmt = stmt.where(Order.reseller_id == reseller_id)
    if state:
        stmt = stmt.where(Order.state == state)
    # Bounded whatever the caller passes: a negative LIMIT means "no limit" to SQLite.
    stmt = stmt.order_by(Order.id.desc()).limit(max(1, min(limit, MAX_PAGE))).offset(max(0, offset))
    return list(session.execute(stmt).scalars())
