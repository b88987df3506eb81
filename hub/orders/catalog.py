"""The orders' seam to the catalog: product facts by id or SKU, and the reseller's prices.

``HubCatalog`` reads ``hub.catalog`` (models and ``pricing.prices_for``, all
lines of an order with one price book); any other object with the same
methods can stand in (tests of a capability
that must not wait for the catalog, or a future remote catalog).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Iterable, Mapping, Optional, Protocol, Union

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from hub.core.driver import Direct, OneOf
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
    list_price: Decimal = Decimal(0)
    options: str = ""  # a variant's chosen options, as the order line keeps them


def option_text(values: Optional[Mapping[str, Any]]) -> str:
    """``{"Warna": "Merah", "Ukuran": "L"}`` → ``Warna: Merah, Ukuran: L`` (a variant's options)."""
    return ", ".join(f"{k}: {v}" for k, v in (values or {}).items())


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    rule: str


@dataclass(frozen=True)
class Found:
    """Products found by id or SKU and what prices them for one reseller (``book``: handed back to
    :meth:`Catalog.prices`; None = that call reads it)."""

    products: list[ProductFacts]
    book: Any = None


class Catalog(Protocol):
    def products(
        self, session: Session, ids: Iterable[int] = (), skus: Iterable[str] = ()
    ) -> list[ProductFacts]: ...

    def find(
        self, session: Session, reseller_id: str, ids: Iterable[int] = (), skus: Iterable[str] = ()
    ) -> Found: ...

    def price(
        self, session: Session, reseller_id: str, product_id: int, quantity: int, at: dt.datetime
    ) -> Price: ...

    def prices(
        self,
        session: Session,
        reseller_id: str,
        quantities: Mapping[int, int],
        at: dt.datetime,
        products: Optional[Mapping[int, ProductFacts]] = None,
        book: Any = None,
    ) -> dict[int, Union[Price, NotPriced]]: ...


def _dec(value: Optional[Decimal]) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


def _facts_select() -> Select[Any]:
    """Products by id or SKU, only the columns orders need."""
    from hub.catalog.models import Product
    from hub.core.db import table_of

    t = table_of(Product)
    return select(
        t.c.id,
        t.c.sku,
        t.c.name,
        t.c.active,
        t.c.discontinued,
        t.c.weight_kg,
        t.c.length_cm,
        t.c.width_cm,
        t.c.height_cm,
        t.c.list_price,
        t.c.option_values,
    ).where(or_(OneOf(t.c.id, "ids"), OneOf(t.c.sku, "skus")))


@cache
def _facts_query() -> Direct:
    return Direct(_facts_select())


@cache
def _found_query() -> Direct:
    """The products and, outer-joined, the price list rows that apply to ``:rid``: one statement
    (built once: every order runs it)."""
    from hub.catalog.models import Product
    from hub.catalog.pricing import applicable_prices
    from hub.core.db import table_of

    products, applicable = table_of(Product), applicable_prices()
    return Direct(
        _facts_select()
        .add_columns(*applicable.c)
        .select_from(products.outerjoin(applicable, applicable.c.product_id == products.c.id))
    )


def _facts(rows: Iterable[Any]) -> list[ProductFacts]:
    """One ``ProductFacts`` per product (rows may repeat a product, one per price row)."""
    found: dict[int, ProductFacts] = {}
    for p in rows:
        if p.id not in found:
            found[p.id] = ProductFacts(
                p.id,
                p.sku,
                p.name,
                bool(p.active) and not p.discontinued,
                _dec(p.weight_kg),
                _dec(p.length_cm),
                _dec(p.width_cm),
                _dec(p.height_cm),
                _dec(p.list_price),
                option_text(p.option_values),
            )
    return list(found.values())


class HubCatalog:
    """The hub's own catalog (``hub.catalog``); imported lazily so orders load without it."""

    def products(
        self, session: Session, ids: Iterable[int] = (), skus: Iterable[str] = ()
    ) -> list[ProductFacts]:
        ids, skus = list(ids), list(skus)
        if not ids and not skus:
            return []
        return _facts(_facts_query().rows(session.connection(), {"ids": ids, "skus": skus}))

    def find(
        self, session: Session, reseller_id: str, ids: Iterable[int] = (), skus: Iterable[str] = ()
    ) -> Found:
        """The products and the reseller's price book of them, in one statement (the order path)."""
        from hub.catalog.pricing import PriceBook

        ids, skus = list(ids), list(skus)
        if not ids and not skus:
            return Found([])
        rows = _found_query().rows(
            session.connection(), {"ids": ids, "skus": skus, "rid": reseller_id}
        )
        return Found(_facts(rows), PriceBook.from_applicable(reseller_id, rows))

    def price(
        self, session: Session, reseller_id: str, product_id: int, quantity: int, at: dt.datetime
    ) -> Price:
        from hub.catalog.errors import ProductNotPriced
        from hub.catalog.pricing import price_for

        try:
            quote = price_for(session, reseller_id, product_id, quantity, at)
        except ProductNotPriced as exc:
            raise _not_priced(exc, product_id) from exc
        return Price(Decimal(quote.unit_price), str(quote.rule))

    def prices(
        self,
        session: Session,
        reseller_id: str,
        quantities: Mapping[int, int],
        at: dt.datetime,
        products: Optional[Mapping[int, ProductFacts]] = None,
        book: Any = None,
    ) -> dict[int, Union[Price, NotPriced]]:
        """Every product's price at once (one price book: ``book`` from :meth:`find`, else read);
        unpriced products map to ``NotPriced``."""
        from hub.catalog.errors import ProductNotPriced
        from hub.catalog.pricing import prices_for

        quotes = prices_for(session, reseller_id, list(quantities.items()), at, products, book)
        return {
            pid: _not_priced(q, pid)
            if isinstance(q, ProductNotPriced)
            else Price(Decimal(q.unit_price), str(q.rule))
            for pid, q in quotes.items()
        }


def _not_priced(exc: DataError, product_id: int) -> NotPriced:
    return NotPriced(
        exc.template,
        hint="ask the distributor to add it to your price list",
        **{**exc.context, "product_id": product_id},
    )
