"""The reseller's catalog: search and categories, product pages with variants, *my* price.

A product a reseller sees is a *model* (``Product.model_id`` is NULL): either sold as it is or
through its variants (products whose ``model_id`` names it, each with its own SKU, stock and
prices, told apart by ``option_values``). Every price shown is the reseller's own
(:class:`hub.catalog.pricing.PriceBook`), with *why* as data (which list, which quantity break,
which promotion) so the page can say it in the reader's language; the list price is never the
reseller's price.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.catalog.pricing import PriceBook, PriceQuote, ProductNotPriced
from hub.catalog.search import search_products
from hub.core.db import utcnow
from hub.inventory.models import StockItem
from shared.errors import NotFound

PAGE = 24


@dataclass(frozen=True)
class Why:
    """Why a price is what it is: the list (own / group / general), the break, the promotion."""

    tier: str  # "own", "group", "general"
    list_name: str
    break_quantity: int
    base_price: Decimal
    promotion: Optional[Any] = None  # the promotion row (name, percent_off, fixed_price, valid_to)


@dataclass
class Offer:
    """One product (a variant or a product without variants) as this reseller may buy it."""

    product: Product
    available: int
    price: Optional[PriceQuote] = None
    why: Optional[Why] = None
    breaks: list[tuple[int, Decimal]] = field(default_factory=list)  # (from qty, unit price)
    refusal: Optional[ProductNotPriced] = None  # why it cannot be priced for this reseller

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.product.option_values or {})


@dataclass
class Card:
    model: Product
    offers: list[Offer]

    @property
    def from_price(self) -> Optional[Decimal]:
        prices = [o.price.unit_price for o in self.offers if o.price is not None]
        return min(prices) if prices else None

    @property
    def available(self) -> int:
        return sum(max(0, o.available) for o in self.offers)

    @property
    def option_names(self) -> list[str]:
        names: list[str] = []
        for o in self.offers:
            names += [n for n in o.options if n not in names]
        return names

    @property
    def promoted(self) -> bool:
        return any(o.why is not None and o.why.promotion is not None for o in self.offers)


def _tier(plist: Any) -> str:
    if plist.reseller_id is not None:
        return "own"
    return "group" if plist.group_id is not None else "general"


def _offer(
    book: PriceBook, product: Product, stock: int, reseller_id: str, at: dt.datetime
) -> Offer:
    offer = Offer(product, stock)
    try:
        quote = book.quote(product, reseller_id, 1, at)
    except ProductNotPriced as exc:
        offer.refusal = exc
        return offer
    offer.price = quote
    promo = next((p for p in book.promos.get(product.id, []) if p.id == quote.promotion_id), None)
    plist = book.lists[quote.price_list_id]
    offer.why = Why(_tier(plist), plist.name, quote.break_quantity, quote.base_price, promo)
    # the breaks of the list that prices it, each priced as an order of that many would be
    steps = sorted(
        {i.min_quantity for i in book.items.get(product.id, []) if i.price_list_id == plist.id}
    )
    for qty in steps:
        try:
            offer.breaks.append((qty, book.quote(product, reseller_id, qty, at).unit_price))
        except ProductNotPriced:
            continue
    return offer


def _stock(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(StockItem.product_id, StockItem.on_hand - StockItem.reserved).where(
            StockItem.product_id.in_(ids)
        )
    )
    return {pid: int(avail) for pid, avail in rows}


def _cards(session: Session, reseller_id: str, models: list[Product]) -> list[Card]:
    ids = [m.id for m in models]
    variants: dict[int, list[Product]] = {}
    if ids:
        for v in session.scalars(
            select(Product)
            .where(Product.model_id.in_(ids), Product.active.is_(True))
            .order_by(Product.sku)
        ):
            variants.setdefault(v.model_id or 0, []).append(v)
    sellable = {m.id: variants.get(m.id) or [m] for m in models}
    all_ids = sorted({p.id for ps in sellable.values() for p in ps})
    book = PriceBook.load(session, all_ids, [reseller_id])
    stock = _stock(session, all_ids)
    now = utcnow()
    return [
        Card(m, [_offer(book, p, stock.get(p.id, 0), reseller_id, now) for p in sellable[m.id]])
        for m in models
    ]


def categories(session: Session) -> list[tuple[str, int]]:
    """Categories of the active models, with how many products each holds."""
    rows = session.execute(
        select(Product.category, func.count())
        .where(Product.active.is_(True), Product.model_id.is_(None), Product.category != "")
        .group_by(Product.category)
        .order_by(Product.category)
    )
    return [(c, int(n)) for c, n in rows]


def browse(
    session: Session, reseller_id: str, q: str = "", category: str = "", page: int = 1
) -> tuple[list[Card], int]:
    """A page of active models matching the words (a variant's SKU finds its model) and category."""
    page = max(1, page)
    models, total = search_products(
        session,
        q,
        category=category or None,
        active=True,
        limit=PAGE * 4,  # variants found by their SKU collapse into their model below
        offset=(page - 1) * PAGE,
    )
    wanted: list[int] = []
    for p in models:
        mid = p.model_id or p.id
        if mid not in wanted:
            wanted.append(mid)
    wanted = wanted[:PAGE]
    by_id = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(wanted)))}
    shown = [by_id[i] for i in wanted if i in by_id and by_id[i].active]
    return _cards(session, reseller_id, shown), total


def product(session: Session, reseller_id: str, product_id: int) -> Card:
    """A model with its variants as this reseller may buy them (a variant's id shows its model)."""
    p = session.get(Product, product_id)
    if p is not None and p.model_id is not None:
        p = session.get(Product, p.model_id)
    if p is None or not p.active:
        raise NotFound(
            "no product #{product_id}", hint="search the catalog for it", product_id=product_id
        )
    return _cards(session, reseller_id, [p])[0]
