"""B2B prices: which price list, which quantity break, which promotion — and why.

Resolution, most specific first: a price list of the reseller itself, then
lists of its groups (the cheapest of them if several hold the product), then
lists for everyone. Inside the winning list the quantity break with the
largest ``min_quantity`` not above the ordered quantity applies. A promotion
valid at ``at`` (reseller's, its group's or everyone's) replaces that price
when it is lower. :class:`PriceQuote.rule` says in words which rule produced
the price; tests hold it to the numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.errors import ProductNotPriced
from hub.catalog.models import PriceList, PriceListItem, Product, Promotion, ResellerGroupMember
from shared.errors import DataError

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PriceQuote:
    product_id: int
    quantity: int
    unit_price: Decimal
    list_price: Decimal  # the catalogue's public list price, for comparison
    rule: str  # human explanation of the rule that produced unit_price
    price_list_id: int
    price_list_name: str
    break_quantity: int  # the quantity break applied (min_quantity)
    base_price: Decimal  # the price list's price before any promotion
    promotion_id: int | None = None

    @property
    def total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def group_ids(session: Session, reseller_id: str) -> list[int]:
    return list(session.scalars(select(ResellerGroupMember.group_id)
                                .where(ResellerGroupMember.reseller_id == reseller_id)))


def _break(items: list[PriceListItem], quantity: int) -> PriceListItem | None:
    fitting = [i for i in items if i.min_quantity <= quantity]
    return max(fitting, key=lambda i: i.min_quantity) if fitting else None


class PriceBook:
    """Price lists, breaks, promotions and group memberships in memory: one query each.

    ``price_for`` loads a book for one product; the nightly offer run loads one
    for everything and prices thousands of offers without a query per offer.
    Both go through :meth:`quote`, so the explanation is the same everywhere.
    """

    def __init__(self, session: Session, product_ids: list[int] | None = None,
                 reseller_ids: list[str] | None = None) -> None:
        self.lists = {p.id: p for p in session.scalars(select(PriceList).where(PriceList.active.is_(True)))}
        items = select(PriceListItem).where(PriceListItem.price_list_id.in_(list(self.lists)))
        promos = select(Promotion)
        members = select(ResellerGroupMember)
        if product_ids is not None:
            items = items.where(PriceListItem.product_id.in_(product_ids))
            promos = promos.where(Promotion.product_id.in_(product_ids))
        if reseller_ids is not None:
            members = members.where(ResellerGroupMember.reseller_id.in_(reseller_ids))
        self.items: dict[int, list[PriceListItem]] = {}
        for i in session.scalars(items):
            self.items.setdefault(i.product_id, []).append(i)
        self.promos: dict[int, list[Promotion]] = {}
        for pr in session.scalars(promos.order_by(Promotion.id)):
            self.promos.setdefault(pr.product_id, []).append(pr)
        self.groups: dict[str, set[int]] = {}
        for m in session.scalars(members):
            self.groups.setdefault(m.reseller_id, set()).add(m.group_id)

    def _tier(self, plist: PriceList, reseller_id: str, groups: set[int]) -> int | None:
        if plist.reseller_id is not None:
            return 0 if plist.reseller_id == reseller_id else None
        if plist.group_id is not None:
            return 1 if plist.group_id in groups else None
        return 2

    def quote(self, product: Product, reseller_id: str, quantity: int, at: dt.datetime) -> PriceQuote:
        if not product.active:
            raise ProductNotPriced(f"product #{product.id} ({product.sku}) is inactive: it cannot be priced",
                                   hint="pick an active product of the catalog", product_id=product.id)
        groups = self.groups.get(reseller_id, set())
        by_list: dict[int, list[PriceListItem]] = {}
        for i in self.items.get(product.id, []):
            by_list.setdefault(i.price_list_id, []).append(i)
        tiers: dict[int, list[tuple[Decimal, int, PriceListItem]]] = {}
        minimum: int | None = None
        for list_id, items in by_list.items():
            tier = self._tier(self.lists[list_id], reseller_id, groups)
            if tier is None:
                continue
            item = _break(items, quantity)
            if item is None:
                low = min(i.min_quantity for i in items)
                minimum = low if minimum is None else min(minimum, low)
                continue
            tiers.setdefault(tier, []).append((item.unit_price, list_id, item))
        if not tiers:
            extra = f" for fewer than {minimum} units" if minimum else ""
            raise ProductNotPriced(
                f"product {product.sku} is in no price list of reseller {reseller_id!r}{extra}",
                hint="add it to the reseller's (or its group's) price list, or order more units",
                product_id=product.id, reseller_id=reseller_id)
        tier = min(tiers)
        _, list_id, item = min(tiers[tier], key=lambda c: (c[0], c[1]))
        plist = self.lists[list_id]
        base = money(item.unit_price)
        brk = (f"quantity break from {item.min_quantity} units" if item.min_quantity > 1
               else "base price (from 1 unit)")
        rule = f"{TIER_WORDS[tier]} '{plist.name}' (#{plist.id}), {brk}: {base}"
        promo, price = None, base
        for pr in self.promos.get(product.id, []):
            fits = (pr.reseller_id == reseller_id if pr.reseller_id is not None else
                    pr.group_id in groups if pr.group_id is not None else True)
            if fits and pr.valid_from <= at < pr.valid_to and pr.min_quantity <= quantity:
                cut = _promotion_price(pr, base)
                if cut < price:
                    promo, price = pr, cut
        if promo is not None:
            rule = f"{_promo_words(promo, base)} → {price}; instead of {rule}"
        return PriceQuote(product_id=product.id, quantity=quantity, unit_price=price,
                          list_price=money(product.list_price), rule=rule, price_list_id=plist.id,
                          price_list_name=plist.name, break_quantity=item.min_quantity, base_price=base,
                          promotion_id=promo.id if promo is not None else None)


TIER_WORDS = {0: "the reseller's own price list", 1: "its group's price list", 2: "the general price list"}


def _promotion_price(promo: Promotion, base: Decimal) -> Decimal:
    if promo.fixed_price is not None:
        return money(promo.fixed_price)
    return money(base * (Decimal(100) - (promo.percent_off or Decimal(0))) / Decimal(100))


def _promo_words(promo: Promotion, base: Decimal) -> str:
    how = (f"fixed price {money(promo.fixed_price)}" if promo.fixed_price is not None
           else f"{promo.percent_off}% off {base}")
    return (f"promotion '{promo.name}' (#{promo.id}): {how}, valid {promo.valid_from:%Y-%m-%d %H:%M} "
            f"to {promo.valid_to:%Y-%m-%d %H:%M} UTC")


def price_for(session: Session, reseller_id: str, product_id: int, quantity: int, at: dt.datetime) -> PriceQuote:
    """The unit price of ``quantity`` units of a product for a reseller at time ``at``, with its reason.

    Raises ``ProductNotPriced`` when the product is unknown, inactive, or in none of the
    price lists that apply to the reseller (or only from a larger quantity).
    """
    if quantity < 1:
        raise DataError(f"quantity must be at least 1 (got {quantity})", hint="order one unit or more")
    if at.tzinfo is None:
        raise DataError(f"price time {at!r} is naive", hint="pass a UTC-aware datetime")
    product = session.get(Product, product_id)
    if product is None:
        raise ProductNotPriced(f"product #{product_id} does not exist: it cannot be priced",
                               hint="pick a product of the catalog", product_id=product_id)
    return PriceBook(session, [product_id], [reseller_id]).quote(product, reseller_id, quantity, at)


def _products(session: Session, product_ids: list[int]) -> dict[int, Product]:
    """Products by id; those already in the session's identity map cost no query."""
    found: dict[int, Product] = {}
    missing = []
    for pid in product_ids:
        obj = session.identity_map.get(session.identity_key(Product, pid))
        if obj is not None:
            found[pid] = obj  # type: ignore[assignment]
        else:
            missing.append(pid)
    if missing:
        found.update({p.id: p for p in session.scalars(select(Product).where(Product.id.in_(missing)))})
    return found


def prices_for(session: Session, reseller_id: str, lines: list[tuple[int, int]],
               at: dt.datetime) -> dict[int, PriceQuote | ProductNotPriced]:
    """:func:`price_for` for many (product id, quantity) pairs with one price book (one query per table).

    Same rules and ``rule`` text as ``price_for``; a line that cannot be priced maps to its
    ``ProductNotPriced`` instead of raising, so a caller can list every problem at once.
    Quantities are per product: sum an order's lines first (one pair per product id).
    """
    if at.tzinfo is None:
        raise DataError(f"price time {at!r} is naive", hint="pass a UTC-aware datetime")
    for pid, quantity in lines:
        if quantity < 1:
            raise DataError(f"product #{pid}: quantity must be at least 1 (got {quantity})",
                            hint="order one unit or more")
    ids = sorted({pid for pid, _ in lines})
    products = _products(session, ids)
    book = PriceBook(session, ids, [reseller_id]) if products else None
    out: dict[int, PriceQuote | ProductNotPriced] = {}
    for pid, quantity in lines:
        product = products.get(pid)
        if product is None or book is None:
            out[pid] = ProductNotPriced(f"product #{pid} does not exist: it cannot be priced",
                                        hint="pick a product of the catalog", product_id=pid)
            continue
        try:
            out[pid] = book.quote(product, reseller_id, quantity, at)
        except ProductNotPriced as exc:
            out[pid] = exc
    return out
