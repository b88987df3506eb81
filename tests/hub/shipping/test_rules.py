"""Chargeable weight: exact courier cases and properties (monotone fees, minimums)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.shipping.rules import (
    DEFAULT_RULES,
    Item,
    Parcel,
    chargeable_weight,
    pack,
    round_weight,
    shipment_weight,
)

JNE_REG = DEFAULT_RULES[("JNE", "REG")]
JTR = DEFAULT_RULES[("JNE", "JTR")]
POS = DEFAULT_RULES[("POS", "REG")]


@pytest.mark.parametrize(
    "actual, billed",
    [
        ("1.00", "1"),
        ("1.30", "1"),
        ("1.31", "2"),
        ("2.30", "2"),
        ("2.31", "3"),
        ("0.10", "1"),
        ("0.31", "1"),
        ("1.301", "2"),
        ("10.30", "10"),
    ],
)
def test_jne_rounding_cases(actual: str, billed: str) -> None:
    w = chargeable_weight(Parcel(D(actual), D(0), 1), JNE_REG)
    assert w.chargeable == D(billed)


def test_plain_ceiling_when_no_tolerance() -> None:
    assert round_weight(D("1.01"), POS) == 2
    assert round_weight(D("1.00"), POS) == 1


@pytest.mark.parametrize(
    "dims, actual, rules, billed, volumetric",
    [
        ((30, 20, 10), "0.5", JNE_REG, "1", "1"),  # 6000 cm³ / 6000 = 1.00 kg
        ((40, 30, 20), "1.0", JNE_REG, "4", "4"),  # 24000 / 6000 = 4.00 kg
        ((40, 30, 13), "1.0", JNE_REG, "3", "2.6"),  # 15600 / 6000 = 2.60 → 3
        ((50, 40, 39), "2.0", JNE_REG, "13", "13"),  # 78000 / 6000 = 13.00
        ((41, 30, 19.5), "1", JNE_REG, "4", "3.9975"),  # 3.9975 → past 0.30 → 4
        ((100, 50, 50), "5", JTR, "63", "62.5"),  # 250000 / 4000 = 62.5, ceiling → 63
        ((20, 20, 20), "3", JTR, "10", "2"),  # trucking minimum 10 kg
    ],
)
def test_volumetric_cases(dims: tuple, actual: str, rules, billed: str, volumetric: str) -> None:
    l_, w_, h_ = (D(str(x)) for x in dims)
    result = chargeable_weight(Parcel(D(actual), l_ * w_ * h_, 1), rules)
    assert result.volumetric == D(volumetric)
    assert result.chargeable == D(billed)
    assert "volumetric" in result.explanation


def test_card_minimum_applies_above_service_minimum() -> None:
    assert chargeable_weight(Parcel(D("2"), D(0), 1), JNE_REG, card_min=D(5)).chargeable == 5


def test_packing_splits_at_the_service_limit() -> None:
    items = [Item(weight=D(20), quantity=3), Item(weight=D(15))]
    parcels = pack(items, JNE_REG)  # 50 kg per parcel
    assert [p.actual for p in parcels] == [D(40), D(35)]
    assert sum(p.units for p in parcels) == 4
    heavy = pack([Item(weight=D(70))], JNE_REG)  # over the limit: travels alone
    assert [p.actual for p in heavy] == [D(70)]


kg = st.decimals(min_value=D("0.01"), max_value=D("80"), places=2)
cm = st.decimals(min_value=D("0"), max_value=D("120"), places=1)
services = st.sampled_from(sorted(DEFAULT_RULES.values(), key=lambda r: r.key))


def _fee(items: list[Item], rules) -> D:
    return shipment_weight(items, rules).chargeable


@settings(max_examples=300, deadline=None)
@given(services, kg, cm, cm, cm)
def test_chargeable_at_least_actual_and_minimum(rules, w, l_, wd, h) -> None:
    result = chargeable_weight(Parcel(w, l_ * wd * h, 1), rules)
    assert result.chargeable >= rules.min_weight
    # never below actual by more than the published tolerance, never below volumetric - tolerance
    assert result.chargeable >= w - rules.tolerance
    assert result.chargeable >= result.volumetric - rules.tolerance
    if rules.tolerance == 0:
        assert result.chargeable >= w


@settings(max_examples=300, deadline=None)
@given(
    services,
    kg,
    cm,
    cm,
    cm,
    st.decimals(min_value=D("0"), max_value=D("10"), places=2),
    st.sampled_from(["weight", "length", "width", "height"]),
)
def test_parcel_weight_never_decreases_when_anything_grows(rules, w, l_, wd, h, extra, what):
    base = {"weight": w, "length": l_, "width": wd, "height": h}
    grown = dict(base, **{what: base[what] + extra})
    before = chargeable_weight(Parcel(base["weight"], l_ * wd * h, 1), rules).chargeable
    after = chargeable_weight(
        Parcel(grown["weight"], grown["length"] * grown["width"] * grown["height"], 1), rules
    ).chargeable
    assert after >= before


line = st.builds(
    Item, weight=kg, length=cm, width=cm, height=cm, quantity=st.integers(min_value=1, max_value=4)
)


@settings(max_examples=300, deadline=None)
@given(services, st.lists(line, min_size=1, max_size=6), st.data())
def test_order_fee_never_decreases_when_a_dimension_grows(rules, items, data) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
    what = data.draw(st.sampled_from(["length", "width", "height"]))
    extra = data.draw(st.decimals(min_value=D("0"), max_value=D("50"), places=1))
    grown = list(items)
    old = items[i]
    grown[i] = Item(
        old.weight,
        **{
            **{"length": old.length, "width": old.width, "height": old.height},
            what: getattr(old, what) + extra,
        },
        quantity=old.quantity,
    )
    assert _fee(grown, rules) >= _fee(items, rules)


@settings(max_examples=500, deadline=None)
@given(services, st.lists(line, min_size=1, max_size=6), st.data())
def test_order_fee_never_decreases_when_a_weight_grows(rules, items, data) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
    extra = data.draw(st.decimals(min_value=D("0"), max_value=D("30"), places=2))
    grown = list(items)
    old = items[i]
    grown[i] = Item(old.weight + extra, old.length, old.width, old.height, quantity=old.quantity)
    assert _fee(grown, rules) >= _fee(items, rules)


def _pack_unit_by_unit(items: list[Item], rules) -> list[Parcel]:
    """The packing rule as documented, one unit at a time (the reference for ``pack``)."""
    parcels, cur_w, cur_v, cur_n = [], D(0), D(0), 0
    for item in items:
        for _ in range(item.quantity):
            if cur_n and cur_w + item.weight > rules.max_parcel_weight:
                parcels.append(Parcel(cur_w, cur_v, cur_n))
                cur_w, cur_v, cur_n = D(0), D(0), 0
            cur_w += item.weight
            cur_v += item.length * item.width * item.height
            cur_n += 1
    if cur_n:
        parcels.append(Parcel(cur_w, cur_v, cur_n))
    return parcels


zero_or_kg = st.one_of(
    st.just(D(0)), kg, st.decimals(min_value=D("0.001"), max_value=D("1200"), places=3)
)


@settings(max_examples=400, deadline=None)
@given(
    services,
    st.lists(
        st.builds(
            Item,
            weight=zero_or_kg,
            length=cm,
            width=cm,
            height=cm,
            quantity=st.integers(min_value=1, max_value=60),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_pack_equals_unit_by_unit_packing(rules, items) -> None:
    """``pack`` places whole runs of identical units at once; the parcels must be the same."""
    assert pack(items, rules) == _pack_unit_by_unit(items, rules)


def test_pack_is_fast_for_large_quantities() -> None:
    parcels = pack([Item(weight=D("0.5"), quantity=10_000)] * 500, JNE_REG)  # 5 M units
    assert sum(p.units for p in parcels) == 5_000_000 and all(p.actual == D(50) for p in parcels)
