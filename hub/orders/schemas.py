"""API shapes of orders (kept apart from the ORM tables)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Optional

from pydantic import BaseModel, Field

from hub.core.roles import Principal
from hub.orders.lifecycle import State, events_for
from hub.orders.models import Order
from hub.orders.service import actor_of


class OrderLineIn(BaseModel):
    product_id: Optional[int] = None
    sku: Optional[str] = Field(default=None, max_length=80)
    quantity: int


class OrderCreate(BaseModel):
    reseller_id: Optional[str] = Field(
        default=None, description="staff only: the reseller ordered for"
    )
    lines: list[OrderLineIn]
    note: str = Field(default="", max_length=2000)
    submit: bool = Field(default=True, description="false keeps the order as a draft (a cart)")


class LinesUpdate(BaseModel):
    lines: list[OrderLineIn]


class FromOffer(BaseModel):
    quantity: Optional[int] = None


class EventIn(BaseModel):
    courier: Annotated[str, Field(max_length=40)] = ""
    service: Annotated[str, Field(max_length=40)] = ""
    waybill: Annotated[str, Field(max_length=60)] = ""
    warehouse: Annotated[
        str | None, Field(max_length=32, description="ship: the warehouse's code")
    ] = None
    reason: Annotated[
        str, Field(max_length=300, description="cancel: why (required for staff)")
    ] = ""
    serials: list[str] = Field(
        default=[], max_length=10_000
    )  # units of serialised products shipped


class OrderLinePublic(BaseModel):
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    price_rule: str


class OrderPublic(BaseModel):
    id: int
    reseller_id: str
    state: str
    source: str
    offer_id: Optional[int]
    invoice_number: Optional[str]
    subtotal: Decimal
    shipping_fee: Decimal
    shipping_courier: str
    shipping_service: str
    shipping_note: str
    waybill: str
    total: Decimal
    unique_code: int
    transfer_amount: Decimal
    paid_amount: Decimal
    amount_due: Decimal
    overpaid: Decimal
    # a reseller group's down payment (0: none asked), what of it is still missing, and what
    # the reseller transfers next (that rest plus the unique code first, then all that is due)
    down_payment: Decimal = Decimal(0)
    down_payment_due: Decimal = Decimal(0)
    pay_now: Decimal = Decimal(0)
    ship_to_name: str = ""
    ship_to_phone: str = ""
    ship_to_address: str = ""
    payment_reference: Optional[str]
    payment_due_at: Optional[dt.datetime]
    pending_proofs: int
    created_at: dt.datetime
    placed_at: Optional[dt.datetime]
    lines: list[OrderLinePublic]
    next_events: list[str] = []


class OrdersPublic(BaseModel):
    data: list[OrderPublic]
    count: int


def order_public(order: Order, principal: Optional[Principal] = None) -> OrderPublic:
    lines = [
        OrderLinePublic(
            product_id=ln.product_id,
            sku=ln.sku,
            name=ln.name,
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            line_total=ln.line_total,
            price_rule=ln.price_rule,
        )
        for ln in order.lines
    ]
    fields: dict[str, Any] = {
        k: getattr(order, k) for k in OrderPublic.model_fields if k not in ("lines", "next_events")
    }
    nxt = events_for(State(order.state), actor_of(principal)) if principal is not None else []
    return OrderPublic(**fields, lines=lines, next_events=nxt)


def order_json(order: Order, principal: Optional[Principal] = None) -> dict[str, Any]:
    """JSON-ready body (what an idempotent replay returns verbatim)."""
    return order_public(order, principal).model_dump(mode="json")
