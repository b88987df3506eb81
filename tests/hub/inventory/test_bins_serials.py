"""Stock per warehouse (bins) and serial numbers: receipts, shipments, the invariant, history."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.catalog.models import Product
from hub.core.db import transaction
from hub.inventory import bins, serials
from hub.inventory import service as stock
from hub.inventory.models import Serial, StockItem
from hub.orders.fulfilment import ship
from hub.orders.service import LineRequest, create_order, get_order
from hub.shipping.models import Warehouse
from shared.errors import Conflict, DataError, NotFound
from tests.hub.orders.helpers import INVENTORY, OPS, R1, Hub, open_db, seed


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    h = open_db(f"sqlite:///{tmp_path / 'hub.db'}")
    seed(h, {"LAPTOP": 0, "CABLE": 5})  # CABLE: 5 received before any warehouse (unassigned)
    with transaction(h.factory) as s:
        s.add_all(
            [
                Warehouse(id=1, code="JKT", name="Jakarta", region_kode="31.71"),
                Warehouse(id=2, code="SBY", name="Surabaya", region_kode="35.78"),
            ]
        )
        s.get(Product, h.products["LAPTOP"]).serialised = True
    return h


def _placement(h: Hub, sku: str) -> tuple[int, dict[int, int], int]:
    with h.factory() as s:
        (p,) = bins.placement(s, [h.products[sku]])
        return p.on_hand, p.bins, p.unassigned


def test_receipts_fill_the_named_or_first_warehouse_and_shipping_empties_it_first(hub: Hub) -> None:
    cable = hub.products["CABLE"]
    with transaction(hub.factory) as s:
        stock.receive(s, cable, 4, reference="GRN-1", warehouse_id=2)
        stock.receive(s, cable, 3, reference="GRN-2")  # no warehouse: the first active one
    assert _placement(hub, "CABLE") == (12, {1: 3, 2: 4}, 5)
    with transaction(hub.factory) as s:
        stock.reserve(s, {cable: 9})
        came = stock.ship(s, {cable: 9})
    assert came == {
        cable: {1: 3, 2: 4, None: 2}
    }  # first warehouse, then the other, then unassigned
    assert _placement(hub, "CABLE") == (3, {1: 0, 2: 0}, 3)


def test_issue_takes_from_the_chosen_warehouse_and_refuses_what_is_not_available(
    hub: Hub,
) -> None:
    cable = hub.products["CABLE"]
    with transaction(hub.factory) as s:
        stock.receive(s, cable, 2, warehouse_id=2)
        assert stock.issue(s, {cable: 1}, warehouse_id=2) == {cable: {2: 1}}
    with pytest.raises(stock.InsufficientStock), transaction(hub.factory) as s:
        stock.issue(s, {cable: 7})
    with hub.factory() as s:
        item = s.get(StockItem, cable)
        assert (item.on_hand, item.reserved, item.shipped) == (6, 0, 1)


def test_take_back_refuses_reserved_units_and_units_gone_from_the_warehouse(hub: Hub) -> None:
    cable = hub.products["CABLE"]
    with transaction(hub.factory) as s:
        stock.receive(s, cable, 2, warehouse_id=2)
        stock.reserve(s, {cable: 6})
    with pytest.raises(stock.InsufficientStock, match="only 1 free"), transaction(hub.factory) as s:
        stock.take_back(s, cable, 2, 2)
    with pytest.raises(DataError, match="holds 0"), transaction(hub.factory) as s:
        stock.take_back(s, cable, 1, 1)
    with transaction(hub.factory) as s:
        stock.take_back(s, cable, 1, 2)
    assert _placement(hub, "CABLE") == (6, {2: 1}, 5)


def test_levels_need_a_known_warehouse_and_a_sensible_refill(hub: Hub) -> None:
    cable = hub.products["CABLE"]
    with pytest.raises(NotFound, match="no warehouse #9"), transaction(hub.factory) as s:
        bins.set_levels(s, 9, cable, 2, 5)
    with pytest.raises(DataError, match="below the reorder point"), transaction(hub.factory) as s:
        bins.set_levels(s, 1, cable, 5, 2)
    with transaction(hub.factory) as s:
        b = bins.set_levels(s, 1, cable, 5, 20)
        assert (b.on_hand, b.reorder_point, b.reorder_up_to) == (0, 5, 20)


def _packed_order(hub: Hub, qty: int) -> int:
    with transaction(hub.factory) as s:
        lines = [LineRequest(quantity=qty, product_id=hub.products["LAPTOP"])]
        oid = create_order(s, R1, "r1", lines, hub.ctx).id
        get_order(s, OPS, oid).state = "packed"  # paid and packed: payments are tested with orders
    return oid


def _ship(hub: Hub, oid: int, typed: list[str]) -> None:
    with transaction(hub.factory) as s:
        order = get_order(s, OPS, oid)
        ship(s, INVENTORY, order, courier="JNE", service="REG", waybill="W1", serials=typed)


def test_serialised_units_are_registered_once_and_must_all_be_named_at_shipment(hub: Hub) -> None:
    laptop = hub.products["LAPTOP"]
    with transaction(hub.factory) as s:
        stock.receive(s, laptop, 3, warehouse_id=1, reference="GRN-7")
        serials.register(s, laptop, ["sn-a", " SN-B", "sn-c"], warehouse_id=1, reference="GRN-7")
    with pytest.raises(Conflict, match="SN-A \\(in_stock\\)"), transaction(hub.factory) as s:
        serials.register(s, laptop, ["SN-A"], warehouse_id=1, reference="GRN-8")
    with pytest.raises(DataError, match="given twice: SN-X"), transaction(hub.factory) as s:
        serials.register(s, laptop, ["SN-X", "sn-x"], warehouse_id=1, reference="GRN-8")
    oid = _packed_order(hub, 2)
    with pytest.raises(DataError, match="2 shipped, 1 serial numbers given"):
        _ship(hub, oid, ["SN-A"])
    with pytest.raises(DataError, match="SN-Z is not in stock"):
        _ship(hub, oid, ["SN-A", "SN-Z"])
    with hub.factory() as s:  # a refused shipment moved nothing
        assert get_order(s, OPS, oid).state == "packed"
        assert s.get(StockItem, laptop).shipped == 0
    _ship(hub, oid, ["sn-a", "SN-C"])
    with hub.factory() as s:
        a = serials.find(s, "sn-a")
        assert (a.state, a.order_id, a.reseller_id) == ("shipped", oid, "r1")
        assert a.shipped_at is not None
        assert s.scalar(select(Serial.state).where(Serial.serial == "SN-B")) == "in_stock"
        (trace,) = serials.history(s, "SN-A")
        assert [(e.event, e.reference) for e in trace.events] == [
            ("received", "GRN-7"),
            ("shipped", f"order #{oid}"),
        ]
    again = _packed_order(hub, 1)
    with pytest.raises(DataError, match="SN-A is shipped, not in stock"):
        _ship(hub, again, ["SN-A"])


def test_moves_follow_the_table(hub: Hub) -> None:
    laptop = hub.products["LAPTOP"]
    with transaction(hub.factory) as s:
        (u,) = serials.register(s, laptop, ["Q1"], warehouse_id=1, reference="GRN-1")
        with pytest.raises(Conflict, match="Q1 is in_stock: it cannot be scrapped"):
            serials.move(s, u, "scrapped")
        serials.move(s, u, "removed", reference="GRN-1 reversed")
        (again,) = serials.register(s, laptop, ["Q1"], warehouse_id=2, reference="GRN-2")
        assert again.id == u.id and again.state == "in_stock" and again.warehouse_id == 2
