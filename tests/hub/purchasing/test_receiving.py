"""Receipts: partial, over with a reason, serials, landed cost, moving average cost, reversal."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.core.db import transaction
from hub.inventory import bins, serials
from hub.inventory.models import StockItem
from hub.purchasing import costing, receiving, service
from hub.purchasing.receiving import OverReceipt, allocate
from shared.errors import Conflict, DataError
from tests.hub.purchasing.kit import STORE, D, Shop, draft, open_shop, receive, sent_order


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return open_shop(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "po")


def _state(shop: Shop, po_id: int) -> tuple[str, list[int]]:
    with shop.factory() as s:
        po = service.get_order(s, po_id)
        return po.state, [ln.received for ln in po.lines]


def test_partial_then_full_receipt_moves_the_order_and_the_warehouse_stock(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 30}, warehouse=2)
    receive(shop, po_id, {"MOUSE": 10})
    assert _state(shop, po_id) == ("partly_received", [10])
    receive(shop, po_id, {"MOUSE": 20})
    assert _state(shop, po_id) == ("received", [30])
    with shop.factory() as s:
        (p,) = bins.placement(s, [shop.products["MOUSE"]])
        assert (p.on_hand, p.bins) == (30, {2: 30})


def test_over_receipt_needs_a_reason_and_is_refused_without_one(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 10})
    with pytest.raises(OverReceipt, match=r"#\d+: 10 / 0 \+ 12 = 12"):
        receive(shop, po_id, {"MOUSE": 12})
    assert _state(shop, po_id) == ("sent", [0])  # nothing moved, no stock
    receive(shop, po_id, {"MOUSE": 12}, reasons={"MOUSE": "supplier sent a spare box"})
    assert _state(shop, po_id) == ("received", [12])


def test_serialised_lines_need_one_serial_per_unit_and_register_them(shop: Shop) -> None:
    po_id = sent_order(shop, {"LAPTOP": 2, "MOUSE": 1})
    with pytest.raises(
        DataError, match=r"one serial per unit \(product: units / serials\): #\d+: 2 / 1"
    ):
        receive(shop, po_id, {"LAPTOP": 2}, serials={"LAPTOP": ["LT-1"]})
    with pytest.raises(DataError, match="products without serial numbers were given serials"):
        receive(
            shop,
            po_id,
            {"LAPTOP": 2, "MOUSE": 1},
            serials={"LAPTOP": ["LT-1", "LT-2"], "MOUSE": ["X"]},
        )
    rid = receive(shop, po_id, {"LAPTOP": 2}, serials={"LAPTOP": ["lt-1", "LT-2"]})
    with shop.factory() as s:
        unit = serials.find(s, "LT-1")
        number = receiving.get_receipt(s, rid).number
        assert (unit.state, unit.warehouse_id, unit.received_ref) == ("in_stock", 1, number)
        assert unit.supplier_id == shop.suppliers["ACME"]


def test_landed_costs_spread_by_value_and_move_the_average(shop: Shop) -> None:
    po_id = sent_order(
        shop, {"MOUSE": 10, "SSD": 2}
    )  # 10 × 50.000 = 500.000; 2 × 800.000 = 1.600.000
    rid = receive(
        shop,
        po_id,
        {"MOUSE": 10, "SSD": 2},
        serials={"SSD": ["A", "B"]},
        freight=D("210000.00"),
        duty=D("0.01"),
    )
    mouse, ssd = shop.products["MOUSE"], shop.products["SSD"]
    with shop.factory() as s:
        r = receiving.get_receipt(s, rid)
        # 210.000,01 split 500:1600 -> 50.000,00 and 160.000,00 + the odd cent to the larger remainder
        assert [ln.landed_total for ln in r.lines] == [D("550000.00"), D("1760000.01")]
        assert sum(ln.landed_total for ln in r.lines) == D("2310000.01")
        assert costing.average_costs(s) == {mouse: D("55000.0000"), ssd: D("880000.0050")}
    # a second receipt at another price: (55.000 × 10 + 45.000 × 10) / 20 = 50.000
    po2 = sent_order(shop, {"MOUSE": 10})
    with transaction(shop.factory) as s:
        service.get_order(s, po2).lines[0].unit_cost = D("45000")
    receive(shop, po2, {"MOUSE": 10})
    with shop.factory() as s:
        assert costing.average_costs(s, [mouse]) == {mouse: D("50000.0000")}
        val = costing.stock_valuation(s)
        assert [(r.sku, r.on_hand, r.value) for r in val.rows] == [
            ("MOUSE", 20, D("1000000.00")),
            ("SSD", 2, D("1760000.01")),
        ]
        assert val.total == D("2760000.01") and val.uncosted == []


def test_reversal_takes_stock_cost_and_serials_back_unless_they_moved(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 10, "SSD": 2})
    first = receive(shop, po_id, {"MOUSE": 4})
    second = receive(shop, po_id, {"MOUSE": 6, "SSD": 2}, serials={"SSD": ["Q1", "Q2"]})
    mouse = shop.products["MOUSE"]
    with pytest.raises(DataError, match="needs a reason"), transaction(shop.factory) as s:
        receiving.fire(s, STORE, second, "reverse")
    with transaction(shop.factory) as s:  # 5 mice are promised to an order: only 5 are free
        from hub.inventory import service as stock

        stock.reserve(s, {mouse: 5})
    with pytest.raises(Exception, match="only 5 free"), transaction(shop.factory) as s:
        receiving.fire(s, STORE, second, "reverse", reason="wrong delivery")
    with transaction(shop.factory) as s:
        receiving.fire(s, STORE, first, "reverse", reason="counted twice")
    assert _state(shop, po_id) == ("partly_received", [6, 2])
    with shop.factory() as s:
        assert s.get(StockItem, mouse).on_hand == 6
        assert costing.average_costs(s, [mouse]) == {mouse: D("50000.0000")}
    with (
        pytest.raises(Conflict, match="cannot reverse a receipt that is reversed"),
        transaction(shop.factory) as s,
    ):
        receiving.fire(s, STORE, first, "reverse", reason="again")


def test_draft_receipts_move_nothing_until_posted(shop: Shop) -> None:
    po_id = sent_order(shop, {"MOUSE": 10})
    rid = receive(shop, po_id, {"MOUSE": 3}, post=False)
    assert _state(shop, po_id) == ("sent", [0])
    with transaction(shop.factory) as s:
        receiving.fire(s, STORE, rid, "post")
    assert _state(shop, po_id) == ("partly_received", [3])


def test_a_draft_order_takes_no_receipt(shop: Shop) -> None:
    with transaction(shop.factory) as s:
        po_id = draft(shop, s, {"MOUSE": 1}).id
    with pytest.raises(Conflict, match="send the purchase order first"):
        receive(shop, po_id, {"MOUSE": 1})


cents = st.integers(min_value=0, max_value=10**12).map(lambda c: Decimal(c) / 100)


@given(extra=cents, weights=st.lists(cents, min_size=1, max_size=12))
def test_allocation_is_exact_proportional_and_never_negative(
    extra: Decimal, weights: list[Decimal]
) -> None:
    shares = allocate(extra, weights)
    assert sum(shares) == extra
    assert all(s >= 0 and s == s.quantize(Decimal("0.01")) for s in shares)
    total = sum(weights) or len(weights)
    for share, w in zip(shares, weights if sum(weights) else [Decimal(1)] * len(weights)):
        assert abs(share - extra * w / total) < Decimal("0.01")  # within a cent of its exact part
