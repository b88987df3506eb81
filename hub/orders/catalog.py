"""The orders' seam to the catalog: product facts by id or SKU, and the reseller's price.

``HubCatalog`` reads ``hub.catalog`` (models and ``pricing.price_for``); any
other object with the same two methods can stand in (tests of a capability
that must not wait for the catalog, or a future remote catalog).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Optional, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.errors import DataError


class NotPriced(DataError):
    """The product is not in the reseller's price list (or inactive): it cannot be ordered."""


@dataclass(frozen=True)
class ProductFacts:
    id: int
    sku: str
    name: str
    active: bool = True
    weight_kg: Decimal = Decimal(0)
    length_cm: Decimal = Decimal(0)
    width_cm: Decimal = Decimal(0)
    height_cm: Decimal = Decimal(0)


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    rule: str


class Catalog(Protocol):
    def products(self, session: Session, ids: Iterable[int] = (),
                 skus: Iterable[str] = ()) -> list[ProductFacts]: ...

    def price(self, session: Session, reseller_id: str, product_id: int, quantity: int,
              at: dt.datetime) -> Price: ...


def _dec(value: Optional[Decimal]) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


class HubCatalog:
    """The hub's own catalog (``hub.catalog``); imported lazily so orders load without it."""

    def products(self, session: Session, ids: Iterable[int] = (),
                 skus: Iterable[str] = ()) -> list[ProductFacts]:
        from hub.catalog.models import Product

        ids, skus = list(ids), list(skus)
        if not ids and not skus:
            return []
        stmt = select(Product).where(or_(Product.id.in_(ids), Product.sku.in_(skus)))
        return [ProductFacts(p.id, p.sku, p.name, bool(p.active) and not p.discontinued,
                             _dec(p.weight_kg), _dec(p.length_cm), _dec(p.width_cm), _dec(p.height_cm))
                for p in session.execute(stmt).scalars()]

    def price(self, session: Session, reseller_id: str, product_id: int, quantity: int,
              at: dt.datetime) -> Price:
        from hub.catalog.errors import ProductNotPriced
        from hub.catalog.pricing import price_for

        try:
            quote = price_for(session, reseller_id, product_id, quantity, at)
        except ProductNotPriced as exc:
            raise NotPriced(str(exc), hint="ask the distributor to add it to your price list",
                            product_id=product_id) from exc
        return Price(Decimal(quote.unit_price), str(quote.rule))
