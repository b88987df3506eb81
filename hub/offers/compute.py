"""Pure offer rules: aggregates in, offer drafts (numbers + reason as phrases) out.

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

from hub.core.phrases import Phrase, english, number

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
    phrases: list[Phrase]  # the reason, written in each reader's language when shown
    rank_key: tuple[Decimal, ...] = field(default=(), compare=False)

    @property
    def reason(self) -> str:
        """The reason in English (the API's text, and the message ids' own wording)."""
        return english(self.phrases)


def _d(x: Decimal) -> str:
    return str(_dp(x))


def _dp(x: Decimal) -> Decimal:
    return x.quantize(ONE_DP, rounding=ROUND_HALF_UP)


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
        cover_words = {"cover": number(_dp(cover)), "min_cover": number(t.min_cover_days)}
        packs = {
            "needed": number(_dp(need)),
            "target": number(t.target_cover_days),
            "wanted": number(wanted),
            "pack": number(p.pack_size),
        }
        reason: list[Phrase] = [
            (
                "You sold {sold} of {product} in the last {days} days ({daily}/day);",
                {
                    "sold": number(pos.sold),
                    "product": p.name,
                    "days": number(t.window_days),
                    "daily": number(_dp(daily)),
                },
            ),
            (
                "{stock} in stock lasts {cover} days, below {min_cover}.",
                {"stock": number(stock), **cover_words},
            )
            if pos.on_hand >= 0
            else (
                "the shop shows {on_hand} in stock (counted as 0), which lasts {cover} days, below {min_cover}.",
                {"on_hand": number(pos.on_hand), **cover_words},
            ),
            ("{needed} more cover {target} days: {wanted} in packs of {pack}.", packs)
            if qty >= wanted
            else (
                "{needed} more cover {target} days: {wanted} in packs of {pack}; the hub has only {available}, so {quantity}.",
                {**packs, "available": number(p.available or 0), "quantity": number(qty)},
            ),
        ]
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
        reason: list[Phrase] = [
            (
                "{product} sells at {peers} other resellers in your region ({region}): {sold} units in {days} days, {per_shop}/day per shop.",
                {
                    "product": p.name,
                    "peers": number(ps.resellers),
                    "region": region,
                    "sold": number(ps.sold),
                    "days": number(t.window_days),
                    "per_shop": number(_dp(per_shop)),
                },
            ),
            (
                "You do not carry it yet; {quantity} covers about {target} days at that pace.",
                {"quantity": number(qty), "target": number(t.target_cover_days)},
            ),
        ]
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
        held = {"product": p.name, "available": number(p.available or 0)}
        reason: list[Phrase] = [
            ("Clearance of {product}: it is discontinued and the hub clears its last units.", held)
            if p.discontinued
            else (
                "Clearance of {product}: the hub holds {available} units, {cover} days of network sales.",
                {**held, "cover": number(_dp(hub_cover))},
            )
            if hub_cover is not None
            else (
                "Clearance of {product}: the hub holds {available} units and no other reseller sold it recently.",
                held,
            ),
            (
                "You sold {sold} in the last {days} days ({daily}/day), so {quantity} last about {target} days.",
                {
                    "sold": number(pos.sold),
                    "days": number(t.window_days),
                    "daily": number(_dp(daily)),
                    "quantity": number(qty),
                    "target": number(t.target_cover_days),
                },
            ),
        ]
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
