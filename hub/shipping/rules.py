"""How a courier service bills weight: volumetric divisor, rounding, minimum, parcel limit.

Pure functions on ``Decimal`` (kg, cm), no database: the whole "why does this
parcel cost 3 kg" story lives here. A courier service is one ``ServiceRules``
value — adding a service means adding data to ``DEFAULT_RULES`` (or passing
your own mapping to the quote functions), not code.

Order of operations for one parcel (as couriers publish them):

1. volumetric = L × W × H ÷ divisor (cm³ → kg; the divisor is per service);
2. raw = max(actual, volumetric);
3. rounded to whole ``step`` kg with a ``tolerance``: the fraction above a
   whole step is dropped when it is ≤ tolerance, else the weight goes up to the
   next step (JNE, tolerance 0.30: 1.00→1, 1.30→1, 1.31→2, 2.30→2, 2.31→3;
   tolerance 0 is a plain ceiling);
4. then at least the service minimum (and the rate card's own minimum).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Iterable, Mapping, Sequence

from shared.errors import DataError

ZERO = Decimal(0)


@dataclass(frozen=True)
class ServiceRules:
    """Billing rules of one courier service (data, not code)."""

    courier: str
    service: str
    name: str
    divisor: Decimal = Decimal(6000)  # cm³ per kg
    tolerance: Decimal = Decimal("0.30")  # kg dropped above a whole step
    step: Decimal = Decimal(1)  # billing unit, kg
    min_weight: Decimal = Decimal(1)  # per parcel, kg
    max_parcel_weight: Decimal = Decimal(50)  # packing limit, kg of actual weight
    trucking: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.courier, self.service)


#: Built-in services. Divisors/minimums from the couriers' published terms
#: (JNE OKE/REG/YES 6000, JNE Trucking 4000 with 10 kg minimum).
DEFAULT_RULES: Mapping[tuple[str, str], ServiceRules] = {
    r.key: r
    for r in (
        ServiceRules("JNE", "OKE", "JNE Ongkos Kirim Ekonomis"),
        ServiceRules("JNE", "REG", "JNE Reguler"),
        ServiceRules("JNE", "YES", "JNE Yakin Esok Sampai"),
        ServiceRules(
            "JNE",
            "JTR",
            "JNE Trucking",
            divisor=Decimal(4000),
            tolerance=ZERO,
            min_weight=Decimal(10),
            max_parcel_weight=Decimal(1000),
            trucking=True,
        ),
        ServiceRules("TIKI", "ECO", "TIKI Economy Service"),
        ServiceRules("TIKI", "REG", "TIKI Regular Service"),
        ServiceRules("TIKI", "ONS", "TIKI Over Night Service"),
        ServiceRules("POS", "REG", "Pos Reguler", tolerance=ZERO, max_parcel_weight=Decimal(30)),
    )
}


@dataclass(frozen=True)
class Unit:
    """One physical piece (an order line of quantity n is n units)."""

    weight: Decimal  # kg
    length: Decimal  # cm
    width: Decimal
    height: Decimal

    @property
    def volume(self) -> Decimal:
        return self.length * self.width * self.height


#: Largest accepted per-unit values: far above any parcel, small enough that no product
#: of them overflows ``Decimal`` (an unbounded 1E+999999 would, and answer 500).
LIMITS = {
    "weight": Decimal(100_000),
    "length": Decimal(100_000),
    "width": Decimal(100_000),
    "height": Decimal(100_000),
    "value": Decimal(10) ** 15,
}


@dataclass(frozen=True)
class Item:
    """An order line: per-unit weight and dimensions, quantity, unit value (IDR)."""

    weight: Decimal
    length: Decimal = ZERO
    width: Decimal = ZERO
    height: Decimal = ZERO
    quantity: int = 1
    value: Decimal = ZERO

    def check(self, where: str) -> None:
        for field, most in LIMITS.items():
            v = getattr(self, field)
            if not isinstance(v, Decimal) or not v.is_finite() or not 0 <= v <= most:
                raise DataError(
                    "{where}: {field} must be a number from 0 to {most}, got {value}",
                    where=where,
                    field=field,
                    most=most,
                    value=repr(v),
                    hint="weights in kg, dimensions in cm, value in IDR",
                )
        if self.quantity < 1:
            raise DataError(
                "{where}: quantity must be ≥ 1, got {quantity}", where=where, quantity=self.quantity
            )


@dataclass(frozen=True)
class Parcel:
    actual: Decimal
    volume: Decimal
    units: int


@dataclass(frozen=True)
class ParcelWeight:
    """A parcel's chargeable weight and the steps that produced it."""

    actual: Decimal
    volumetric: Decimal
    chargeable: Decimal
    explanation: str


def volumetric_weight(volume_cm3: Decimal, rules: ServiceRules) -> Decimal:
    return volume_cm3 / rules.divisor


def round_weight(weight: Decimal, rules: ServiceRules) -> Decimal:
    """Whole steps, dropping a fraction ≤ tolerance (JNE: 1.30→1, 1.31→2; tolerance 0 = ceiling)."""
    base = (weight / rules.step).to_integral_value(ROUND_FLOOR) * rules.step
    return base if weight - base <= rules.tolerance else base + rules.step


def chargeable_weight(
    parcel: Parcel, rules: ServiceRules, card_min: Decimal = ZERO
) -> ParcelWeight:
    """max(actual, volumetric) → rounding → minimum, with a one-line explanation."""
    vol = volumetric_weight(parcel.volume, rules)
    raw = max(parcel.actual, vol)
    rounded = round_weight(raw, rules)
    minimum = max(rules.min_weight, card_min)
    final = max(rounded, minimum)
    which = "volumetric" if vol > parcel.actual else "actual"
    text = (
        f"actual {_kg(parcel.actual)} kg, volumetric {_kg(vol)} kg "
        f"(÷{rules.divisor}) → {which} {_kg(raw)} kg → rounded {_kg(rounded)} kg "
        f"(tolerance {_kg(rules.tolerance)})"
    )
    if final > rounded:
        text += f" → minimum {_kg(minimum)} kg"
    return ParcelWeight(parcel.actual, vol, final, text)


def pack(items: Sequence[Item], rules: ServiceRules) -> list[Parcel]:
    """Pack units into parcels: the documented simple rule.

    Units are taken in line order; a unit goes into the current parcel while
    the parcel's actual weight stays ≤ ``max_parcel_weight``, otherwise a new
    parcel is started (next-fit). A unit heavier than the limit travels alone.
    A parcel's volume is the sum of its units' volumes (no nesting assumed).
    """
    parcels: list[Parcel] = []
    limit = rules.max_parcel_weight
    cur_w, cur_v, cur_n = ZERO, ZERO, 0
    for item in items:
        w, unit_v, left = item.weight, item.length * item.width * item.height, item.quantity
        while left:  # same result as placing the units one by one, in O(parcels) steps
            if cur_n and cur_w + w > limit:
                parcels.append(Parcel(cur_w, cur_v, cur_n))
                cur_w, cur_v, cur_n = ZERO, ZERO, 0
            if w == 0 or cur_w + w * left <= limit:
                k = left  # all the rest fit
            else:  # as many as keep cur_w + k·w ≤ limit (< left, so no huge quotient); ≥ 1 if empty
                k = max(0 if cur_n else 1, int((limit - cur_w) // w))
            cur_w += w * k
            cur_v += unit_v * k
            cur_n += k
            left -= k
    if cur_n:
        parcels.append(Parcel(cur_w, cur_v, cur_n))
    return parcels


def parcel_weights(
    items: Sequence[Item], rules: ServiceRules, card_min: Decimal = ZERO
) -> list[ParcelWeight]:
    return [chargeable_weight(p, rules, card_min) for p in pack(items, rules)]


@dataclass(frozen=True)
class ShipmentWeight:
    """The billed weight of a multi-parcel shipment on one waybill, with its story."""

    chargeable: Decimal
    parcels: list[ParcelWeight]
    explanation: str


def shipment_weight(
    items: Sequence[Item], rules: ServiceRules, card_min: Decimal = ZERO
) -> ShipmentWeight:
    """One waybill: max(Σ actual, Σ volumetric), rounded once, then ≥ parcels × minimum.

    Summing over the whole waybill before taking the max and rounding (not per
    parcel) keeps the fee monotone: a heavier item that makes the packer open
    one more parcel, or regroup items, can never make the order cheaper.
    A single parcel bills exactly as ``chargeable_weight``.
    """
    parcels = parcel_weights(items, rules, card_min)
    actual = total(p.actual for p in parcels)
    volumetric = total(p.volumetric for p in parcels)
    raw = max(actual, volumetric)
    rounded = round_weight(raw, rules)
    minimum = max(rules.min_weight, card_min) * len(parcels)
    final = max(rounded, minimum)
    text = (
        f"{len(parcels)} parcel(s): max(actual {_kg(actual)}, volumetric {_kg(volumetric)})"
        f" = {_kg(raw)} kg → rounded {_kg(rounded)} kg"
    )
    if final > rounded:
        text += f" → minimum {len(parcels)} × {_kg(max(rules.min_weight, card_min))} kg"
    return ShipmentWeight(final, parcels, text)


def total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _kg(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))
