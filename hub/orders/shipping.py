"""The orders' seam to shipping: one frozen fee for the order's parcels.

``ShippingQuoter`` is the protocol; :class:`HubShipping` asks
``hub.shipping.service.quote_shipment`` for the cheapest option from the
first active warehouse to the reseller's default address. Without a warehouse
or address the order is placed with fee 0 and a note that operations must
quote it — an order is never refused because shipping cannot be computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Optional, Protocol, Sequence

from sqlalchemy import bindparam, literal, select, true
from sqlalchemy.orm import Session

from hub.core.driver import Direct
from hub.orders.catalog import ProductFacts
from shared.errors import DataError


@dataclass(frozen=True)
class ShippingChoice:
    fee: Decimal
    courier: str = ""
    service: str = ""
    note: str = ""


class ShippingQuoter(Protocol):
    def choose(
        self,
        session: Session,
        reseller_id: str,
        parcels: Sequence[tuple[ProductFacts, int]],
        value: Decimal,
    ) -> ShippingChoice: ...


class FlatShipping:
    """A fixed fee (tests, pick-up at the warehouse)."""

    def __init__(self, fee: Decimal = Decimal(0), note: str = "") -> None:
        self.fee, self.note = fee, note

    def choose(
        self,
        session: Session,
        reseller_id: str,
        parcels: Sequence[tuple[ProductFacts, int]],
        value: Decimal,
    ) -> ShippingChoice:
        return ShippingChoice(self.fee, note=self.note)


@cache
def _places() -> Direct:
    """The first active warehouse and the reseller's default address, in one row (either may be NULL).

    Built once (imported lazily: orders load without the shipping tables' module).
    """
    from hub.core.db import table_of
    from hub.shipping.models import ResellerAddress, Warehouse

    w, a = table_of(Warehouse), table_of(ResellerAddress)
    first_warehouse = (
        select(w.c.code).where(w.c.active.is_(True)).order_by(w.c.id).limit(1).subquery()
    )
    address = (
        select(a.c.region_kode, a.c.postal_code)
        .where(a.c.reseller_id == bindparam("rid"))
        .order_by(a.c.is_default.desc(), a.c.id)
        .limit(1)
        .subquery()
    )
    anchor = select(literal(1).label("one")).subquery()
    return Direct(
        select(first_warehouse.c.code, address.c.region_kode, address.c.postal_code).select_from(
            anchor.outerjoin(first_warehouse, true()).outerjoin(address, true())
        )
    )


class HubShipping:
    def __init__(self, courier: Optional[str] = None) -> None:
        self.courier = courier

    def choose(
        self,
        session: Session,
        reseller_id: str,
        parcels: Sequence[tuple[ProductFacts, int]],
        value: Decimal,
    ) -> ShippingChoice:
        from hub.shipping.rules import Item
        from hub.shipping.service import quote_shipment

        places = _places().rows(session.connection(), {"rid": reseller_id})[0]
        if places.code is None or places.region_kode is None:
            return ShippingChoice(
                Decimal(0),
                note="shipping to be quoted by operations "
                "(no warehouse or delivery address on file)",
            )
        items = [
            Item(
                weight=p.weight_kg,
                length=p.length_cm,
                width=p.width_cm,
                height=p.height_cm,
                quantity=q,
            )
            for p, q in parcels
        ]
        try:
            result = quote_shipment(
                session,
                origin=places.code,
                items=items,
                destination=places.region_kode,
                postal_code=places.postal_code or None,
            )
        except DataError as exc:
            return ShippingChoice(Decimal(0), note=f"shipping to be quoted by operations: {exc}")
        options = [o for o in result.options if self.courier in (None, o.courier)]
        if not options:
            return ShippingChoice(
                Decimal(0),
                note="shipping to be quoted by operations: no rate covers this destination",
            )
        best = min(options, key=lambda o: o.total)
        return ShippingChoice(Decimal(best.total), best.courier, best.service)
