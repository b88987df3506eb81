"""Reserving stock: all lines or none, every shortfall named (PostgreSQL does it in one statement)."""

from __future__ import annotations

import pytest

from hub.core.db import transaction
from hub.inventory import service as stock
from hub.inventory.models import StockItem
from tests.hub.orders.helpers import Hub, seed


def levels(hub: Hub) -> dict[str, tuple[int, int]]:
    with hub.factory() as s:
        items = {i.product_id: i for i in s.query(StockItem)}
    return {
        sku: (items[pid].on_hand, items[pid].reserved)
        for sku, pid in hub.products.items()
        if pid in items
    }


@pytest.mark.parametrize("fixture", ["hub", "pg_hub"])
def test_reservation_is_all_or_nothing(fixture: str, request: pytest.FixtureRequest) -> None:
    hub: Hub = request.getfixturevalue(fixture)
    seed(hub, {"SSD": 10, "HDD": 3}, unpriced=("FAN",))  # FAN: a product without a stock row
    ssd, hdd, fan = (hub.products[k] for k in ("SSD", "HDD", "FAN"))
    with pytest.raises(stock.InsufficientStock) as refused, transaction(hub.factory) as s:
        stock.reserve(s, {ssd: 5, hdd: 4, fan: 1})
    assert refused.value.context["shortfalls"] == [
        {"product_id": hdd, "requested": 4, "available": 3},
        {"product_id": fan, "requested": 1, "available": 0},
    ]
    assert f"product #{hdd}: asked 4, available 3" in str(refused.value)
    assert levels(hub) == {"SSD": (10, 0), "HDD": (3, 0)}  # nothing reserved, not even the SSD line
    with transaction(hub.factory) as s:
        loaded = s.get(StockItem, ssd)
        stock.reserve(s, {hdd: 3, ssd: 5})
        assert (
            loaded is not None and loaded.reserved == 5
        )  # the session's copy is not stale after the write
    with transaction(hub.factory) as s:
        stock.reserve(s, {ssd: 5})
    assert levels(hub) == {"SSD": (10, 10), "HDD": (3, 3)}
    with pytest.raises(stock.InsufficientStock, match="available 0"), transaction(hub.factory) as s:
        stock.reserve(s, {ssd: 1})
