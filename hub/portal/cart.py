"""The cart (an order in ``draft``, ``source="cart"``), saved templates, reorder, and checkout.

Checkout places the cart like any order (:func:`hub.orders.service.place`: stock reserved,
invoice numbered) with the reseller's choices: the delivery address from its address book
(copied onto the order), the courier and service the reseller picked among the live quotes
(quoted again at placement: the fee is the hub's, never a number sent by the browser), and a
note. A reseller group with a down-payment rule gets its share set on the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product, ResellerGroup, ResellerGroupMember
from hub.core.roles import Principal, restrict
from hub.orders import service
from hub.orders.catalog import ProductFacts
from hub.orders.lifecycle import State
from hub.orders.models import Order
from hub.orders.papers import address_text
from hub.orders.service import LineRequest, OrderContext
from hub.orders.shipping import ShippingChoice
from hub.orders.sources import replace_lines
from hub.portal.models import CartTemplate, DownPaymentRule
from hub.shipping.models import ResellerAddress, Warehouse
from hub.shipping.quotes import QuoteOption
from hub.shipping.rules import Item
from hub.shipping.service import quote_shipment
from shared.errors import Conflict, DataError, NotFound

MAX_NOTE = 500


def cart_of(session: Session, principal: Principal) -> Optional[Order]:
    """The reseller's open cart (its latest draft from the portal), if any."""
    stmt = (
        select(Order)
        .where(Order.state == State.DRAFT.value, Order.source == "cart")
        .order_by(Order.id.desc())
        .limit(1)
    )
    return session.execute(restrict(stmt, principal, Order.reseller_id)).scalar()


def _quantities(order: Optional[Order]) -> dict[int, int]:
    return order.quantities() if order is not None else {}


def set_lines(
    session: Session, principal: Principal, wanted: dict[int, int], ctx: OrderContext
) -> Optional[Order]:
    """Make the cart hold exactly ``wanted`` (product id → quantity; 0 removes), priced now."""
    if principal.reseller_id is None:
        raise DataError("only a reseller's user has a cart")
    lines = [LineRequest(quantity=q, product_id=pid) for pid, q in wanted.items() if q > 0]
    cart = cart_of(session, principal)
    if cart is None:
        if not lines:
            return None
        order = service.create_order(
            session, principal, principal.reseller_id, lines, ctx, source="cart", submit=False
        )
        return service.get_order(session, principal, order.id)
    if not lines:
        service.apply_event(session, principal, cart, "cancel")
        return None
    return replace_lines(session, principal, cart.id, lines, ctx)


def add(
    session: Session, principal: Principal, items: dict[int, int], ctx: OrderContext
) -> Optional[Order]:
    """Add quantities to what the cart holds (the product page's "add to cart")."""
    wanted = _quantities(cart_of(session, principal))
    for pid, qty in items.items():
        if qty < 0:
            raise DataError("quantity {qty} is negative", hint="type 1 or more", qty=qty)
        wanted[pid] = wanted.get(pid, 0) + qty
    return set_lines(session, principal, wanted, ctx)


# --- templates and reorder -----------------------------------------------------------------


def save_template(session: Session, principal: Principal, name: str) -> CartTemplate:
    cart = cart_of(session, principal)
    if cart is None or not cart.lines:
        raise DataError("the cart is empty: nothing to save", hint="add products first")
    name = name.strip()[:100]
    if not name:
        raise DataError("a template needs a name", hint="e.g. 'weekly restock'")
    t = CartTemplate(
        reseller_id=cart.reseller_id,
        name=name,
        lines=[{"product_id": p, "quantity": q} for p, q in cart.quantities().items()],
        created_by=principal.username or "",
    )
    session.add(t)
    session.flush()
    return t


def templates(session: Session, principal: Principal) -> list[CartTemplate]:
    stmt = select(CartTemplate).order_by(CartTemplate.name, CartTemplate.id)
    return list(session.scalars(restrict(stmt, principal, CartTemplate.reseller_id)))


def template(session: Session, principal: Principal, template_id: int) -> CartTemplate:
    stmt = select(CartTemplate).where(CartTemplate.id == template_id)
    t = session.execute(restrict(stmt, principal, CartTemplate.reseller_id)).scalar()
    if t is None:
        raise NotFound("no cart template #{template_id}", template_id=template_id)
    return t


def fill_from(
    session: Session, principal: Principal, quantities: dict[int, int], ctx: OrderContext
) -> Optional[Order]:
    """Put a template's or a past order's products into the cart (added to what it holds), priced
    today; nothing is placed until the reseller checks out."""
    return add(session, principal, quantities, ctx)


def order_quantities(session: Session, principal: Principal, order_id: int) -> dict[int, int]:
    """A past order's products and quantities (for "order again"), its variants included."""
    return service.get_order(session, principal, order_id).quantities()


# --- checkout ------------------------------------------------------------------------------


def addresses(session: Session, principal: Principal) -> list[ResellerAddress]:
    stmt = select(ResellerAddress).order_by(ResellerAddress.is_default.desc(), ResellerAddress.id)
    return list(session.scalars(restrict(stmt, principal, ResellerAddress.reseller_id)))


def address(session: Session, principal: Principal, address_id: int) -> ResellerAddress:
    stmt = select(ResellerAddress).where(ResellerAddress.id == address_id)
    a = session.execute(restrict(stmt, principal, ResellerAddress.reseller_id)).scalar()
    if a is None:
        raise NotFound(
            "no address #{address_id}", hint="pick one of your addresses", address_id=address_id
        )
    return a


def _origin(session: Session) -> str:
    code = session.scalar(
        select(Warehouse.code).where(Warehouse.active.is_(True)).order_by(Warehouse.id).limit(1)
    )
    if code is None:
        raise DataError(
            "no warehouse to ship from yet",
            hint="the distributor quotes shipping once a warehouse is set up",
        )
    return code


def _items(session: Session, quantities: dict[int, int]) -> list[Item]:
    rows = session.scalars(select(Product).where(Product.id.in_(list(quantities))))
    return [
        Item(
            weight=p.weight_kg or Decimal(0),
            length=p.length_cm or Decimal(0),
            width=p.width_cm or Decimal(0),
            height=p.height_cm or Decimal(0),
            quantity=quantities[p.id],
        )
        for p in rows
    ]


def quotes(session: Session, cart: Order, where: ResellerAddress) -> list[QuoteOption]:
    """Every courier and service that reaches the address, cheapest first (with ETD)."""
    result = quote_shipment(
        session,
        origin=_origin(session),
        items=_items(session, cart.quantities()),
        destination=where.region_kode,
        postal_code=where.postal_code or None,
    )
    return sorted(result.options, key=lambda o: (o.total, o.etd_max, o.courier, o.service))


@dataclass(frozen=True)
class Chosen:
    """The shipping quoter of one checkout: the reseller's courier and service, quoted now."""

    options: Sequence[QuoteOption]
    courier: str
    service: str

    def choose(
        self,
        session: Session,
        reseller_id: str,
        parcels: Sequence[tuple[ProductFacts, int]],
        value: Decimal,
    ) -> ShippingChoice:
        for o in self.options:
            if (o.courier, o.service) == (self.courier, self.service):
                return ShippingChoice(Decimal(o.total), o.courier, o.service)
        raise DataError(
            "{courier} {service} does not reach this address",
            hint="pick one of the couriers listed",
            courier=self.courier,
            service=self.service,
        )


def down_payment_percent(session: Session, reseller_id: str) -> Decimal:
    """The highest down-payment share among the reseller's groups (0: none asked)."""
    value = session.scalar(
        select(DownPaymentRule.percent)
        .join(ResellerGroupMember, ResellerGroupMember.group_id == DownPaymentRule.group_id)
        .where(ResellerGroupMember.reseller_id == reseller_id)
        .order_by(DownPaymentRule.percent.desc())
        .limit(1)
    )
    return Decimal(value or 0)


def set_down_payment_rule(session: Session, group_id: int, percent: Decimal) -> None:
    if not Decimal(0) <= percent <= Decimal(100):
        raise DataError("a down payment is 0 to 100 percent, got {percent}", percent=str(percent))
    rule = session.get(DownPaymentRule, group_id)
    if percent == 0:
        if rule is not None:
            session.delete(rule)
        return
    if rule is None:
        session.add(DownPaymentRule(group_id=group_id, percent=percent))
    else:
        rule.percent = percent


def set_down_payment(
    session: Session, principal: Optional[Principal], group_id: int, percent: Decimal
) -> None:
    """:func:`set_down_payment_rule` of an existing group, with its audit row (the down-payments
    page and the demo)."""
    if session.get(ResellerGroup, group_id) is None:
        raise NotFound("no reseller group #{group_id}", group_id=group_id)
    before = session.get(DownPaymentRule, group_id)
    was = str(before.percent) if before is not None else "0"
    set_down_payment_rule(session, group_id, percent)
    record(
        session,
        principal,
        "down_payment.set",
        "reseller_group",
        group_id,
        {"percent": was},
        {"percent": str(percent)},
    )


def checkout(
    session: Session,
    principal: Principal,
    ctx: OrderContext,
    *,
    address_id: int,
    courier: str,
    service_code: str,
    note: str = "",
) -> Order:
    """Place the cart with the chosen address, courier/service and note."""
    cart = cart_of(session, principal)
    if cart is None or not cart.lines:
        raise Conflict("your cart is empty", hint="add products from the catalog first")
    where = address(session, principal, address_id)
    order = service.get_order(session, principal, cart.id, lock=True)
    chosen = Chosen(quotes(session, order, where), courier, service_code)
    order.note = note.strip()[:MAX_NOTE]
    order.ship_to_name = where.recipient
    order.ship_to_phone = where.phone
    order.ship_to_address = address_text(session, where)
    placed = service.place(session, principal, order, OrderContext(ctx.catalog, chosen, ctx.policy))
    percent = down_payment_percent(session, placed.reseller_id)
    if percent:
        share = placed.total * percent / 100
        placed.down_payment = share.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        record(
            session, principal, "order.down_payment", "order", placed.id, None,
            {"percent": str(percent), "amount": str(placed.down_payment)},
        )  # fmt: skip
    return placed
