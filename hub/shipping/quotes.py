"""Shipping quotes: every courier service that serves a route, with fee, weight story and ETD.

``quote`` is pure: it takes a ``RateBook`` (the rate cards, indexed in
memory), the service rules, the origin and destination codes, the items and
a date, and returns sorted options. ``RateBook.load`` reads the cards once;
``hub.shipping.cache`` keeps the book in memory, so a quote costs no query.

Card choice per service: the most specific destination (district before
regency), then the most specific origin (regency before province), among
cards effective on the quote date (``effective_from ≤ date < effective_to``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.shipping.models import RateCard
from hub.shipping.rules import (
    DEFAULT_RULES,
    ZERO,
    Item,
    ServiceRules,
    ShipmentWeight,
    shipment_weight,
    total,
)

RUPIAH = Decimal(1)


@dataclass(frozen=True)
class Card:
    courier: str
    service: str
    origin: str
    destination: str
    price_per_kg: Decimal
    min_weight: Decimal
    etd_min: int
    etd_max: int
    effective_from: dt.date
    effective_to: dt.date | None

    def effective_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass
class RateBook:
    """Rate cards indexed by (origin, destination)."""

    by_route: dict[tuple[str, str], list[Card]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def from_cards(cls, cards: Sequence[Card]) -> RateBook:
        book = cls()
        for c in cards:
            book.by_route[(c.origin, c.destination)].append(c)
        return book

    @classmethod
    def load(cls, session: Session) -> RateBook:
        rows = session.execute(select(RateCard)).scalars()
        return cls.from_cards(
            [
                Card(
                    r.courier,
                    r.service,
                    r.origin,
                    r.destination,
                    Decimal(r.price_per_kg),
                    Decimal(r.min_weight),
                    r.etd_min,
                    r.etd_max,
                    r.effective_from,
                    r.effective_to,
                )
                for r in rows
            ]
        )

    def cards_for(self, origin: str, destination: str, day: dt.date) -> dict[tuple[str, str], Card]:
        """One card per courier+service: most specific destination, then origin."""
        chosen: dict[tuple[str, str], Card] = {}
        for dest in _up(destination, (3, 2)):
            for orig in _up(origin, (2, 1)):
                for card in self.by_route.get((orig, dest), ()):
                    key = (card.courier, card.service)
                    if key not in chosen and card.effective_on(day):
                        chosen[key] = card
        return chosen


def _up(kode: str, levels: tuple[int, ...]) -> list[str]:
    parts = kode.split(".")
    return [".".join(parts[:lv]) for lv in levels if lv <= len(parts)]


@dataclass(frozen=True)
class QuotePolicy:
    """Order-level rules: free shipping above an order value, insurance, a fixed surcharge."""

    free_shipping_min_value: Decimal | None = None
    free_shipping_services: frozenset[tuple[str, str]] | None = None  # None = every service
    insurance_rate: Decimal = Decimal("0.002")  # of the declared value
    insurance_fixed: Decimal = Decimal(5000)
    surcharge: Decimal = ZERO  # e.g. handling, per shipment


@dataclass(frozen=True)
class QuoteOption:
    courier: str
    service: str
    name: str
    fee: Decimal  # what the customer pays for shipping (after free-shipping rule)
    shipping: Decimal  # courier price before the free-shipping rule
    insurance: Decimal
    surcharge: Decimal
    total: Decimal
    chargeable_weight: Decimal
    parcels: int
    price_per_kg: Decimal
    etd_min: int
    etd_max: int
    breakdown: list[str]
    source: str = "rate card"  # or the live provider's name


def quote(
    book: RateBook,
    origin: str,
    destination: str,
    items: Sequence[Item],
    *,
    day: dt.date,
    rules: Mapping[tuple[str, str], ServiceRules] = DEFAULT_RULES,
    policy: QuotePolicy = QuotePolicy(),
    insured: bool = False,
    sort: str = "price",
) -> list[QuoteOption]:
    """Every service with a card for this route on ``day``, sorted by price or speed."""
    for i, item in enumerate(items, 1):
        item.check(f"item {i}")
    value = total(i.value * i.quantity for i in items)
    options = []
    # Services that bill weight alike (JNE OKE/REG/YES, TIKI…) share one packing+weighing.
    weights: dict[tuple[Decimal, ...], ShipmentWeight] = {}
    for key, card in book.cards_for(origin, destination, day).items():
        svc = rules.get(key)
        if svc is None:
            continue  # a card for a service the hub has no rules for is not offered
        alike = (
            svc.divisor,
            svc.tolerance,
            svc.step,
            svc.min_weight,
            svc.max_parcel_weight,
            card.min_weight,
        )
        weight = weights.get(alike)
        if weight is None:
            weight = weights[alike] = shipment_weight(items, svc, card.min_weight)
        kg = weight.chargeable
        shipping = (kg * card.price_per_kg).quantize(RUPIAH, ROUND_HALF_UP)
        lines = [f"parcel {n}: {w.explanation}" for n, w in enumerate(weight.parcels, 1)]
        lines.append(f"{weight.explanation} → billed {kg} kg")
        lines.append(
            f"{kg} kg × Rp {card.price_per_kg} = Rp {shipping} "
            f"(card {card.origin} → {card.destination} from {card.effective_from})"
        )
        fee = shipping
        free = policy.free_shipping_min_value
        if (
            free is not None
            and value >= free
            and (policy.free_shipping_services is None or key in policy.free_shipping_services)
        ):
            fee = ZERO
            lines.append(f"free shipping: order value Rp {value} ≥ Rp {free}")
        insurance = ZERO
        if insured:
            insurance = (value * policy.insurance_rate + policy.insurance_fixed).quantize(
                RUPIAH, ROUND_HALF_UP
            )
            lines.append(
                f"insurance: {policy.insurance_rate * 100}% × Rp {value} + "
                f"Rp {policy.insurance_fixed} = Rp {insurance}"
            )
        if policy.surcharge:
            lines.append(f"surcharge: Rp {policy.surcharge}")
        options.append(
            QuoteOption(
                card.courier,
                card.service,
                svc.name,
                fee,
                shipping,
                insurance,
                policy.surcharge,
                fee + insurance + policy.surcharge,
                kg,
                len(weight.parcels),
                card.price_per_kg,
                card.etd_min,
                card.etd_max,
                lines,
            )
        )
    return sort_options(options, sort)


def sort_options(options: list[QuoteOption], sort: str) -> list[QuoteOption]:
    if sort == "speed":
        return sorted(options, key=lambda o: (o.etd_max, o.etd_min, o.total, o.courier, o.service))
    if sort != "price":
        raise ValueError(f"sort must be 'price' or 'speed', got {sort!r}")
    return sorted(options, key=lambda o: (o.total, o.etd_max, o.courier, o.service))
