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
from typing import Any, Iterable, Mapping, NamedTuple, Protocol

from sqlalchemy import Subquery, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from hub.catalog.errors import ProductNotPriced, UnknownProduct
from hub.catalog.models import PriceList, PriceListItem, Product, Promotion, ResellerGroupMember
from hub.core.db import table_of
from hub.core.driver import Direct, OneOf
from hub.core.phrases import Phrase, english, moment, number
from hub.core.phrases import money as phrase_money
from shared.errors import DataError

CENT = Decimal("0.01")


class Priceable(Protocol):
    """What pricing reads of a product (a ``Product`` row, or an order's product facts)."""

    @property
    def id(self) -> int: ...
    @property
    def sku(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def list_price(self) -> Decimal: ...


@dataclass(frozen=True)
class PriceQuote:
    product_id: int
    quantity: int
    unit_price: Decimal
    list_price: Decimal  # the catalogue's public list price, for comparison
    rule_phrases: tuple[Phrase, ...]  # which rule produced unit_price, for the reader's language
    price_list_id: int
    price_list_name: str
    break_quantity: int  # the quantity break applied (min_quantity)
    base_price: Decimal  # the price list's price before any promotion
    promotion_id: int | None = None

    @property
    def total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)

    @property
    def rule(self) -> str:
        """The rule in English words (the API's and an order line's text)."""
        return english(self.rule_phrases)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def group_ids(session: Session, reseller_id: str) -> list[int]:
    return list(
        session.scalars(
            select(ResellerGroupMember.group_id).where(
                ResellerGroupMember.reseller_id == reseller_id
            )
        )
    )


def _break(items: list[Any], quantity: int) -> Any:
    fitting = [i for i in items if i.min_quantity <= quantity]
    return max(fitting, key=lambda i: i.min_quantity) if fitting else None


class PriceBook:
    """Price lists, breaks, promotions and group memberships in memory: one query each.

    ``price_for`` loads a book for one product; the nightly offer run loads one
    for everything and prices thousands of offers without a query per offer;
    an order loads only what applies to its reseller (:meth:`for_reseller`).
    All go through :meth:`quote`, so the explanation is the same everywhere.
    The book reads attributes only: ORM objects and plain rows both do.
    """

    def __init__(
        self,
        lists: Iterable[Any],
        items: Iterable[Any],
        promos: Iterable[Any],
        groups: dict[str, set[int]],
    ) -> None:
        self.lists = {p.id: p for p in lists}
        self.items: dict[int, list[Any]] = {}
        for i in items:
            self.items.setdefault(i.product_id, []).append(i)
        self.promos: dict[int, list[Any]] = {}
        for pr in sorted(promos, key=lambda pr: pr.id):
            self.promos.setdefault(pr.product_id, []).append(pr)
        self.groups = groups

    @classmethod
    def load(
        cls,
        session: Session,
        product_ids: list[int] | None = None,
        reseller_ids: list[str] | None = None,
    ) -> PriceBook:
        """Every active list (and the items, promotions, memberships of the given products/resellers)."""
        lists = list(session.scalars(select(PriceList).where(PriceList.active.is_(True))))
        items = select(PriceListItem).where(PriceListItem.price_list_id.in_([p.id for p in lists]))
        promos = select(Promotion).where(Promotion.active.is_(True), Promotion.kind == "standard")
        members = select(ResellerGroupMember)
        if product_ids is not None:
            items = items.where(PriceListItem.product_id.in_(product_ids))
            promos = promos.where(Promotion.product_id.in_(product_ids))
        if reseller_ids is not None:
            members = members.where(ResellerGroupMember.reseller_id.in_(reseller_ids))
        groups: dict[str, set[int]] = {}
        for m in session.scalars(members):
            groups.setdefault(m.reseller_id, set()).add(m.group_id)
        return cls(lists, session.scalars(items), session.scalars(promos), groups)

    @classmethod
    def for_reseller(cls, session: Session, reseller_id: str, product_ids: list[int]) -> PriceBook:
        """Only the lists and promotions that apply to one reseller: ONE Core query (the order path).

        Lists and promotions are filtered in SQL to the reseller's own, its groups' and
        everyone's, so the groups that matter are exactly those the rows name. Promotions
        come joined to the price list items of their product (a promotion of a product in
        no applicable list could not price it anyway), hence repeated: kept once each.
        """
        return cls.from_applicable(
            reseller_id,
            _APPLICABLE.rows(session.connection(), {"rid": reseller_id, "ids": product_ids}),
        )

    @classmethod
    def from_applicable(cls, reseller_id: str, rows: Iterable[Any]) -> PriceBook:
        """The book of rows shaped like :func:`applicable_prices` (rows without an item are skipped:
        a product outer-joined to no list)."""
        lists: dict[int, _List] = {}
        items, promos = {}, {}
        for r in rows:
            if r.price_list_id is None:
                continue
            lists.setdefault(
                r.list_id, _List(r.list_id, r.list_name, r.list_reseller_id, r.list_group_id)
            )
            items[r.price_list_id, r.product_id, r.min_quantity] = r
            if r.promo_id is not None:
                promos[r.promo_id] = _Promo(*(getattr(r, "promo_" + f) for f in _Promo._fields))
        mine = {pl.group_id for pl in lists.values() if pl.group_id is not None}
        mine |= {pr.group_id for pr in promos.values() if pr.group_id is not None}
        return cls(lists.values(), items.values(), promos.values(), {reseller_id: mine})

    def _tier(self, plist: Any, reseller_id: str, groups: set[int]) -> int | None:
        if plist.reseller_id is not None:
            return 0 if plist.reseller_id == reseller_id else None
        if plist.group_id is not None:
            return 1 if plist.group_id in groups else None
        return 2

    def quote(
        self, product: Priceable, reseller_id: str, quantity: int, at: dt.datetime
    ) -> PriceQuote:
        if not product.active:
            raise ProductNotPriced(
                "product #{product_id} ({sku}) is inactive: it cannot be priced",
                sku=product.sku,
                hint="pick an active product of the catalog",
                product_id=product.id,
            )
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
            raise ProductNotPriced(
                "product {sku} is in no price list of reseller {reseller_id}"
                + (" for fewer than {minimum} units" if minimum else ""),
                sku=product.sku,
                minimum=minimum,
                hint="add it to the reseller's (or its group's) price list, or order more units",
                product_id=product.id,
                reseller_id=reseller_id,
            )
        tier = min(tiers)
        _, list_id, item = min(tiers[tier], key=lambda c: (c[0], c[1]))
        plist = self.lists[list_id]
        base = money(item.unit_price)
        listed = {"base": phrase_money(base)}
        rule: list[Phrase] = [
            (TIER_WORDS[tier], {"list": plist.name, "id": plist.id}),
            (
                "quantity break from {units} units: {base}",
                {"units": number(item.min_quantity), **listed},
            )
            if item.min_quantity > 1
            else ("base price (from 1 unit): {base}", listed),
        ]
        promo, price = None, base
        for pr in self.promos.get(product.id, []):
            fits = (
                pr.reseller_id == reseller_id
                if pr.reseller_id is not None
                else pr.group_id in groups
                if pr.group_id is not None
                else True
            )
            if fits and pr.valid_from <= at < pr.valid_to and pr.min_quantity <= quantity:
                cut = _promotion_price(pr, base)
                if cut < price:
                    promo, price = pr, cut
        if promo is not None:
            rule.insert(0, _promo_words(promo, base, price))
        return PriceQuote(
            product_id=product.id,
            quantity=quantity,
            unit_price=price,
            list_price=money(product.list_price),
            rule_phrases=tuple(rule),
            price_list_id=plist.id,
            price_list_name=plist.name,
            break_quantity=item.min_quantity,
            base_price=base,
            promotion_id=promo.id if promo is not None else None,
        )


class _List(NamedTuple):
    id: int
    name: str
    reseller_id: str | None
    group_id: int | None


class _Promo(NamedTuple):
    id: int
    name: str
    product_id: int
    reseller_id: str | None
    group_id: int | None
    percent_off: Decimal | None
    fixed_price: Decimal | None
    min_quantity: int
    valid_from: dt.datetime
    valid_to: dt.datetime


def _applies(table: Any) -> Any:
    """The reseller's own rows, its groups' and everyone's (``:rid`` bound at execution)."""
    mine = (
        select(_MEMBERS.c.group_id)
        .where(_MEMBERS.c.reseller_id == bindparam("rid"))
        .scalar_subquery()
    )
    return or_(
        table.c.reseller_id == bindparam("rid"),
        table.c.group_id.in_(mine),
        and_(table.c.reseller_id.is_(None), table.c.group_id.is_(None)),
    )


_MEMBERS = table_of(ResellerGroupMember)
_LISTS, _ITEMS, _PROMOS = table_of(PriceList), table_of(PriceListItem), table_of(Promotion)
_APPLICABLE_ROWS = (
    select(
        _ITEMS.c.price_list_id,
        _ITEMS.c.product_id,
        _ITEMS.c.min_quantity,
        _ITEMS.c.unit_price,
        _LISTS.c.id.label("list_id"),
        _LISTS.c.name.label("list_name"),
        _LISTS.c.reseller_id.label("list_reseller_id"),
        _LISTS.c.group_id.label("list_group_id"),
        *(_PROMOS.c[f].label("promo_" + f) for f in _Promo._fields),
    )
    .join_from(_ITEMS, _LISTS, _ITEMS.c.price_list_id == _LISTS.c.id)
    .outerjoin(
        _PROMOS,
        and_(
            _PROMOS.c.product_id == _ITEMS.c.product_id,
            _PROMOS.c.active.is_(True),
            _PROMOS.c.kind
            == "standard",  # birthday/anniversary rules price through what they issue
            _applies(_PROMOS),
        ),
    )
    .where(_LISTS.c.active.is_(True), _applies(_LISTS))
    .subquery("applicable")
)
_APPLICABLE = Direct(select(_APPLICABLE_ROWS).where(OneOf(_APPLICABLE_ROWS.c.product_id, "ids")))


def applicable_prices() -> Subquery:
    """Every price list item that applies to reseller ``:rid`` (bound at execution), with its list's
    and its product's applicable promotions' columns: join it to products to read their facts and
    their price book in one statement (:meth:`PriceBook.from_applicable`)."""
    return _APPLICABLE_ROWS


TIER_WORDS = {
    0: "the reseller's own price list '{list}' (#{id}),",
    1: "its group's price list '{list}' (#{id}),",
    2: "the general price list '{list}' (#{id}),",
}


def _promotion_price(promo: Promotion, base: Decimal) -> Decimal:
    if promo.fixed_price is not None:
        return money(promo.fixed_price)
    return money(base * (Decimal(100) - (promo.percent_off or Decimal(0))) / Decimal(100))


def _promo_words(promo: Promotion, base: Decimal, price: Decimal) -> Phrase:
    """The promotion that gave ``price``, before the price-list rule it replaced."""
    values = {
        "name": promo.name,
        "id": promo.id,
        "start": moment(promo.valid_from),
        "end": moment(promo.valid_to),
        "price": phrase_money(price),
    }
    if promo.fixed_price is not None:
        values["fixed"] = phrase_money(money(promo.fixed_price))
        return (
            "promotion '{name}' (#{id}): fixed price {fixed}, valid {start} to {end} → {price}; instead of",
            values,
        )
    values["percent"] = number(promo.percent_off or Decimal(0))
    values["base"] = phrase_money(base)
    return (
        "promotion '{name}' (#{id}): {percent}% off {base}, valid {start} to {end} → {price}; instead of",
        values,
    )


def price_for(
    session: Session, reseller_id: str, product_id: int, quantity: int, at: dt.datetime
) -> PriceQuote:
    """The unit price of ``quantity`` units of a product for a reseller at time ``at``, with its reason.

    Raises ``ProductNotPriced`` when the product is unknown, inactive, or in none of the
    price lists that apply to the reseller (or only from a larger quantity).
    """
    if quantity < 1:
        raise DataError(
            "quantity must be at least 1 (got {quantity})",
            hint="order one unit or more",
            quantity=quantity,
        )
    if at.tzinfo is None:
        raise DataError("price time {at} is naive", hint="pass a UTC-aware datetime", at=repr(at))
    product = session.get(Product, product_id)
    if product is None:
        raise UnknownProduct(
            "no product #{product_id}", hint="pick a product of the catalog", product_id=product_id
        )
    return PriceBook.load(session, [product_id], [reseller_id]).quote(
        product, reseller_id, quantity, at
    )


_PRODUCTS = table_of(Product)
_PRICEABLE = select(
    _PRODUCTS.c.id, _PRODUCTS.c.sku, _PRODUCTS.c.active, _PRODUCTS.c.list_price
).where(_PRODUCTS.c.id.in_(bindparam("ids", expanding=True)))


def prices_for(
    session: Session,
    reseller_id: str,
    lines: list[tuple[int, int]],
    at: dt.datetime,
    products: Mapping[int, Priceable] | None = None,
    book: PriceBook | None = None,
) -> dict[int, PriceQuote | ProductNotPriced]:
    """:func:`price_for` for many (product id, quantity) pairs with one price book (one query: :meth:`PriceBook.for_reseller`, or the caller's ``book``).

    Same rules and ``rule`` text as ``price_for``; a line that cannot be priced maps to its
    ``ProductNotPriced`` instead of raising, so a caller can list every problem at once.
    Quantities are per product: sum an order's lines first (one pair per product id).
    ``products``: the caller's rows of these products, when it has them (saves a query);
    ``book``: the reseller's book of these products, when it has it (saves the other).
    """
    if at.tzinfo is None:
        raise DataError("price time {at} is naive", hint="pass a UTC-aware datetime", at=repr(at))
    for pid, quantity in lines:
        if quantity < 1:
            raise DataError(
                "product #{product_id}: quantity must be at least 1 (got {quantity})",
                hint="order one unit or more",
                product_id=pid,
                quantity=quantity,
            )
    ids = sorted({pid for pid, _ in lines})
    if products is None or not set(ids) <= set(products):
        products = {r.id: r for r in session.connection().execute(_PRICEABLE, {"ids": ids})}
    if book is None and products:
        book = PriceBook.for_reseller(session, reseller_id, ids)
    out: dict[int, PriceQuote | ProductNotPriced] = {}
    for pid, quantity in lines:
        product = products.get(pid)
        if product is None or book is None:
            out[pid] = ProductNotPriced(
                "product #{product_id} does not exist: it cannot be priced",
                hint="pick a product of the catalog",
                product_id=pid,
            )
            continue
        try:
            out[pid] = book.quote(product, reseller_id, quantity, at)
        except ProductNotPriced as exc:
            out[pid] = exc
    return out
