"""Pure offer rules: aggregates in, offer drafts (numbers + reason in words) out.

No database here, so every number can be worked out by hand in a test.
``daily`` = units sold in the window ÷ window days; ``cover`` = stock ÷ daily
(days); quantities are rounded UP to whole packs for the target cover and
DOWN to whole packs of what the hub has. Negative stock in a reseller's
source counts as 0 (a stock-out), and the reason says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

ONE_DP = Decimal("0.1")


@dataclass(frozen=True)
class Thresholds:
    window_days: int = 28  # "recent" sales
    min_cover_days: Decimal = Decimal(14)  # replenish below this cover
    target_cover_days: Decimal = Decimal(30)  # ... up to this cover
    range_min_peers: int = 2  # a product sells at ≥ this many same-region resellers
    range_top: int = 5  # range offers per reseller
    clearance_cover_days: Decimal = Decimal(180)  # hub stock beyond this many days of network sales
    validity_days: int = 7


@dataclass(frozen=True)
class HubProduct:
    product_id: int
    sku: str
    name: str
    category: str = ""
    pack_size: int = 1
    available: int | None = None  # hub on hand − reserved; None = unknown (not limited)
    active: bool = True
    discontinued: bool = False


@dataclass(frozen=True)
class Position:
    """One reseller × product: units sold in the window and stock at the reseller."""

    product_id: int
    sold: int = 0
    on_hand: int | None = None  # None: the reseller does not report stock for it


@dataclass
class Draft:
    kind: str  # replenishment | range | clearance
    product_id: int
    quantity: int
    numbers: dict[str, str]
    reason: str
    rank_key: tuple[Decimal, ...] = field(default=(), compare=False)


def _d(x: Decimal) -> str:
    return str(x.quantize(ONE_DP, rounding=ROUND_HALF_UP))


def packs_up(units: Decimal, pack: int) -> int:
    return int(math.ceil(units / pack)) * pack if units > 0 else 0


def cap_to_hub(qty: int, p: HubProduct) -> int:
    if p.available is None:
        return qty
    return min(qty, max(p.available, 0) // p.pack_size * p.pack_size)


def daily_rate(sold: int, t: Thresholds) -> Decimal:
    return Decimal(max(sold, 0)) / Decimal(t.window_days)


def replenishment(
    positions: Iterable[Position], hub: dict[int, HubProduct], t: Thresholds
) -> list[Draft]:
    """Products the reseller sells whose cover is below ``min_cover_days``, most urgent first."""
    out: list[Draft] = []
    for pos in positions:
        p = hub.get(pos.product_id)
        if p is None or not p.active or p.discontinued or pos.on_hand is None or pos.sold <= 0:
            continue  # not sold by the hub any more, stock unknown, or no recent sales: nothing to refill
        daily = daily_rate(pos.sold, t)
        stock = max(pos.on_hand, 0)
        cover = Decimal(stock) / daily
        if cover >= t.min_cover_days:
            continue
        need = t.target_cover_days * daily - stock
        wanted = packs_up(need, p.pack_size)
        qty = cap_to_hub(wanted, p)
        if qty <= 0:
            continue
        stock_words = (
            f"{stock} in stock"
            if pos.on_hand >= 0
            else f"the shop shows {pos.on_hand} in stock (counted as 0)"
        )
        limit = f"; the hub has only {p.available}, so {qty}" if qty < wanted else ""
        reason = (
            f"You sold {pos.sold} of {p.name} in the last {t.window_days} days ({_d(daily)}/day); "
            f"{stock_words} lasts {_d(cover)} days, below {t.min_cover_days}. "
            f"{_d(need)} more cover {t.target_cover_days} days: {wanted} in packs of {p.pack_size}{limit}."
        )
        out.append(
            Draft(
                "replenishment",
                p.product_id,
                qty,
                {
                    "sold": str(pos.sold),
                    "window_days": str(t.window_days),
                    "daily": _d(daily),
                    "on_hand": str(pos.on_hand),
                    "cover_days": _d(cover),
                    "target_cover_days": str(t.target_cover_days),
                    "needed": _d(need),
                    "pack_size": str(p.pack_size),
                    "hub_available": str(p.available),
                },
                reason,
                (cover, -daily),
            )
        )
    out.sort(key=lambda d: (d.rank_key, d.product_id))
    return out


@dataclass(frozen=True)
class PeerSales:
    """A product's sales at other resellers of the same region: how many sell it, units in the window."""

    product_id: int
    resellers: int
    sold: int


def range_offers(
    carried: set[int],
    peers: Iterable[PeerSales],
    hub: dict[int, HubProduct],
    region: str,
    t: Thresholds,
) -> list[Draft]:
    """Products selling at ≥ ``range_min_peers`` same-region resellers that this one does not carry."""
    out: list[Draft] = []
    for ps in peers:
        p = hub.get(ps.product_id)
        if (
            ps.product_id in carried
            or p is None
            or not p.active
            or p.discontinued
            or ps.resellers < t.range_min_peers
        ):
            continue
        per_shop = daily_rate(ps.sold, t) / ps.resellers
        wanted = max(packs_up(per_shop * t.target_cover_days, p.pack_size), p.pack_size)
        qty = cap_to_hub(wanted, p)
        if qty <= 0:
            continue
        reason = (
            f"{p.name} sells at {ps.resellers} other resellers in your region ({region}): {ps.sold} units "
            f"in {t.window_days} days, {_d(per_shop)}/day per shop. You do not carry it yet; "
            f"{qty} covers about {t.target_cover_days} days at that pace."
        )
        out.append(
            Draft(
                "range",
                p.product_id,
                qty,
                {
                    "peer_resellers": str(ps.resellers),
                    "peer_sold": str(ps.sold),
                    "per_shop_daily": _d(per_shop),
                    "region": region,
                    "pack_size": str(p.pack_size),
                    "hub_available": str(p.available),
                },
                reason,
                (Decimal(-ps.resellers), Decimal(-ps.sold)),
            )
        )
    out.sort(key=lambda d: (d.rank_key, d.product_id))
    return out[: t.range_top]


def overstock(
    hub: dict[int, HubProduct], network_sold: dict[int, int], t: Thresholds
) -> dict[int, Decimal | None]:
    """Hub products to clear: product id → hub cover in days (None = no sales at all, or discontinued)."""
    out: dict[int, Decimal | None] = {}
    for p in hub.values():
        if not p.active or not p.available or p.available <= 0:
            continue
        daily = daily_rate(network_sold.get(p.product_id, 0), t)
        if p.discontinued or daily == 0:
            out[p.product_id] = None
        elif Decimal(p.available) / daily > t.clearance_cover_days:
            out[p.product_id] = Decimal(p.available) / daily
    return out


def clearance(
    positions: dict[int, Position],
    to_clear: dict[int, Decimal | None],
    hub: dict[int, HubProduct],
    t: Thresholds,
) -> list[Draft]:
    """Hub overstock offered to a reseller who sold that product in the window (its sales fit)."""
    out: list[Draft] = []
    for pid, hub_cover in to_clear.items():
        pos, p = positions.get(pid), hub[pid]
        if pos is None or pos.sold <= 0:
            continue
        daily = daily_rate(pos.sold, t)
        qty = cap_to_hub(max(packs_up(daily * t.target_cover_days, p.pack_size), p.pack_size), p)
        if qty <= 0:
            continue
        why = (
            "it is discontinued and the hub clears its last units"
            if p.discontinued
            else f"the hub holds {p.available} units, {_d(hub_cover)} days of network sales"
            if hub_cover is not None
            else f"the hub holds {p.available} units and no other reseller sold it recently"
        )
        reason = (
            f"Clearance of {p.name}: {why}. You sold {pos.sold} in the last {t.window_days} days "
            f"({_d(daily)}/day), so {qty} last about {t.target_cover_days} days."
        )
        out.append(
            Draft(
                "clearance",
                pid,
                qty,
                {
                    "sold": str(pos.sold),
                    "daily": _d(daily),
                    "hub_available": str(p.available),
                    "hub_cover_days": "" if hub_cover is None else _d(hub_cover),
                    "pack_size": str(p.pack_size),
                },
                reason,
                (-daily,),
            )
        )
    out.sort(key=lambda d: (d.rank_key, d.product_id))
    return out
