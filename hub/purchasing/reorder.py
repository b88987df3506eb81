"""Reorder rules, pure: numbers in, suggestions with their reasons out (no database).

Per product, from what the resellers actually sell (the merged sell-through the offers use):

* ``daily`` = units the resellers sold in the window ÷ window days;
* ``position`` = hub available (on hand − reserved) + units on open purchase orders −
  accepted offers whose order has not reserved stock yet;
* ``reorder point`` = daily × (lead time + safety days): reorder when position ≤ it;
* ``up to`` = daily × (lead time + safety days + cover days): order what brings the position
  there, rounded UP to the supplier's order multiple and at least its minimum order.

Per warehouse, the low-stock levels set on the stock page: a bin whose on hand plus what is
on order for that warehouse is at or below its reorder point is refilled to its
``reorder_up_to`` (twice the point when none is set). Every number is kept so a test (and
the buyer) can work each suggestion out by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Optional

ONE_DP = Decimal("0.1")


@dataclass(frozen=True)
class Policy:
    window_days: int = 28  # "recent" sell-through, as the offers use
    safety_days: int = 7  # buffer against a late supplier or a sales spike
    cover_days: int = 30  # what one order should last once it arrived


@dataclass(frozen=True)
class Item:
    """One product as the rules see it."""

    product_id: int
    sku: str
    name: str
    sold: int  # units sold by the resellers in the window
    available: int  # hub on hand − reserved
    on_order: int  # units still to come on open purchase orders
    committed: int = 0  # accepted offers not yet reserved by an order
    lead_days: Optional[int] = None  # None: no supplier supplies it
    min_order_qty: int = 1
    order_multiple: int = 1


@dataclass
class Suggestion:
    product_id: int
    quantity: int
    reason: str
    numbers: dict[str, str] = field(default_factory=dict)


def _d(x: Decimal) -> str:
    return str(x.quantize(ONE_DP, rounding=ROUND_HALF_UP))


def order_size(needed: Decimal, min_order_qty: int, multiple: int) -> int:
    """Whole units: ``needed`` rounded up to the multiple, then at least the minimum order
    (itself rounded up to the multiple)."""
    multiple = max(multiple, 1)
    units = max(Decimal(needed), Decimal(min_order_qty))
    return int(math.ceil(units / multiple)) * multiple


def sell_through(items: Iterable[Item], policy: Policy = Policy()) -> list[Suggestion]:
    """Products whose position is at or below the reorder point, most urgent (least cover) first."""
    out: list[tuple[Decimal, Suggestion]] = []
    for it in items:
        if it.sold <= 0 or it.lead_days is None:
            continue
        daily = Decimal(it.sold) / policy.window_days
        position = it.available + it.on_order - it.committed
        point = daily * (it.lead_days + policy.safety_days)
        if position > point:
            continue
        up_to = point + daily * policy.cover_days
        qty = order_size(up_to - position, it.min_order_qty, it.order_multiple)
        cover = Decimal(max(position, 0)) / daily
        reason = (
            f"Resellers sold {it.sold} of {it.name} in {policy.window_days} days ({_d(daily)}/day). "
            f"Available {it.available} + on order {it.on_order} - accepted offers {it.committed} "
            f"= {position}, at or below the reorder point {_d(point)} "
            f"({it.lead_days} days lead time + {policy.safety_days} safety days). "
            f"Up to {_d(up_to)} (+{policy.cover_days} days cover) needs {_d(up_to - position)}: "
            f"{qty} in multiples of {it.order_multiple}, minimum {it.min_order_qty}."
        )
        numbers = {
            "sold": str(it.sold),
            "daily": _d(daily),
            "available": str(it.available),
            "on_order": str(it.on_order),
            "committed": str(it.committed),
            "position": str(position),
            "lead_days": str(it.lead_days),
            "reorder_point": _d(point),
            "up_to": _d(up_to),
            "cover_days": _d(cover),
        }
        out.append((cover, Suggestion(it.product_id, qty, reason, numbers)))
    out.sort(key=lambda p: (p[0], p[1].product_id))
    return [s for _, s in out]


@dataclass(frozen=True)
class Level:
    """A product's bin in a warehouse with its low-stock levels."""

    warehouse_id: int
    product_id: int
    on_hand: int
    on_order: int
    reorder_point: int
    reorder_up_to: int = 0


@dataclass(frozen=True)
class LowStock:
    level: Level
    quantity: int  # to reach the refill level

    @property
    def up_to(self) -> int:
        return self.level.reorder_up_to or 2 * self.level.reorder_point


def low_stock(levels: Iterable[Level]) -> list[LowStock]:
    """Bins at or below their reorder point, counting what is on order for that warehouse."""
    out = []
    for lv in levels:
        if lv.reorder_point <= 0 or lv.on_hand + lv.on_order > lv.reorder_point:
            continue
        row = LowStock(lv, 0)
        out.append(LowStock(lv, max(row.up_to - lv.on_hand - lv.on_order, 0)))
    out.sort(
        key=lambda r: (
            r.level.warehouse_id,
            r.level.on_hand - r.level.reorder_point,
            r.level.product_id,
        )
    )
    return out
