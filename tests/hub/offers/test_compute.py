"""Acceptance 2: offer rules against numbers worked out by hand (window 28 days, cover 14 → 30 days)."""

from __future__ import annotations

from decimal import Decimal

from hub.offers.compute import (
    HubProduct,
    PeerSales,
    Position,
    Thresholds,
    clearance,
    overstock,
    packs_up,
    range_offers,
    replenishment,
)

T = Thresholds()  # 28-day window, replenish below 14 days of cover, up to 30 days


def hub(**kw: HubProduct) -> dict[int, HubProduct]:
    return {p.product_id: p for p in kw.values()}


A = HubProduct(1, "A", "Alpha", pack_size=12, available=1000)
B = HubProduct(2, "B", "Bravo", pack_size=1, available=1000)
C = HubProduct(3, "C", "Charlie", pack_size=6, available=10)  # scarce at the hub
D = HubProduct(4, "D", "Delta", pack_size=1, available=500, discontinued=True)
E = HubProduct(5, "E", "Echo", pack_size=10, available=None)  # hub stock unknown: not limited
HUB = hub(a=A, b=B, c=C, d=D, e=E)


def test_replenishment_cover_quantity_and_ranking():
    drafts = replenishment(
        [
            Position(
                1, sold=56, on_hand=10
            ),  # 2/day → cover 5 days; need 60-10=50 → 5 packs of 12 = 60
            Position(2, sold=28, on_hand=20),  # 1/day → cover 20 ≥ 14: no offer
            Position(
                3, sold=84, on_hand=0
            ),  # stock-out: 3/day, cover 0; need 90 → 90, hub has 10 → 1 pack of 6 = 6
            Position(
                5, sold=14, on_hand=-4
            ),  # negative stock = 0: 0.5/day, need 15 → 2 packs of 10 = 20
        ],
        HUB,
        T,
    )
    assert [(d.product_id, d.quantity) for d in drafts] == [
        (3, 6),
        (5, 20),
        (1, 60),
    ]  # cover 0, 0, then 5
    c, e, a = drafts
    assert (
        a.numbers["daily"] == "2.0"
        and a.numbers["cover_days"] == "5.0"
        and a.numbers["needed"] == "50.0"
    )
    assert "lasts 5.0 days" in a.reason and "60 in packs of 12" in a.reason
    assert c.numbers["cover_days"] == "0.0" and "the hub has only 10, so 6" in c.reason
    assert "shows -4 in stock (counted as 0)" in e.reason and e.numbers["on_hand"] == "-4"
    assert e.rank_key < a.rank_key


def test_replenishment_edge_cases_give_no_offer():
    assert (
        replenishment([Position(2, sold=0, on_hand=0)], HUB, T) == []
    )  # no sales: nothing to refill
    assert (
        replenishment([Position(4, sold=100, on_hand=0)], HUB, T) == []
    )  # discontinued at the hub
    assert replenishment([Position(99, sold=100, on_hand=0)], HUB, T) == []  # not in the catalog
    assert replenishment([Position(2, sold=10, on_hand=None)], HUB, T) == []  # stock not reported
    empty = hub(
        x=HubProduct(7, "X", "X", pack_size=6, available=5)
    )  # less than one pack at the hub
    assert replenishment([Position(7, sold=28, on_hand=0)], empty, T) == []


def test_pack_rounding_is_always_up():
    assert packs_up(Decimal("0.1"), 12) == 12 and packs_up(Decimal(12), 12) == 12
    assert packs_up(Decimal("12.01"), 12) == 24 and packs_up(Decimal(0), 12) == 0


def test_range_offers_rank_by_peer_count_then_units():
    peers = [
        PeerSales(1, resellers=3, sold=84),
        PeerSales(2, resellers=5, sold=20),
        PeerSales(5, resellers=3, sold=90),
        PeerSales(3, resellers=1, sold=500),
        PeerSales(4, resellers=9, sold=900),
    ]
    drafts = range_offers(carried={5}, peers=peers, hub=HUB, region="32", t=T)
    # 5 is carried; 3 has one peer only; 4 is discontinued
    assert [d.product_id for d in drafts] == [2, 1]
    bravo, alpha = drafts
    # Alpha: 84/28 = 3/day over 3 shops = 1/day per shop; 30 days → 30 → packs of 12 → 36
    assert (
        alpha.quantity == 36
        and alpha.numbers["per_shop_daily"] == "1.0"
        and "region (32)" in alpha.reason
    )
    # Bravo: 20/28/5 = 0.142857/day per shop × 30 = 4.29 → 5
    assert bravo.quantity == 5


def test_clearance_for_discontinued_and_overstock_to_resellers_who_sell_it():
    network = {1: 28, 2: 2800, 4: 0}  # A: 1/day network-wide, hub 1000 → 1000 days > 180: overstock
    to_clear = overstock(HUB, network, T)
    assert to_clear == {
        1: Decimal(1000),
        3: None,
        4: None,
    }  # C: no sales anywhere; E: hub stock unknown
    assert 2 not in to_clear  # B sells 100/day: 10 days of hub cover
    drafts = clearance(
        {
            1: Position(1, sold=28, on_hand=50),
            4: Position(4, sold=56, on_hand=0),
            3: Position(3, sold=0, on_hand=3),
        },
        to_clear,
        HUB,
        T,
    )
    assert [(d.product_id, d.quantity) for d in drafts] == [
        (4, 60),
        (1, 36),
    ]  # ranked by the reseller's daily sales
    assert "discontinued" in drafts[0].reason and "1000.0 days of network sales" in drafts[1].reason
