"""Acceptance 3: a double click (same key, same body, at once) makes one order; a retry replays."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hub.inventory.models import StockItem
from hub.inventory.service import InsufficientStock
from hub.orders.idempotency import IdempotencyConflict, request_hash, run_once
from hub.orders.models import InvoiceCounter, Order
from hub.orders.schemas import order_json
from hub.orders.service import LineRequest, create_order
from tests.hub.orders.helpers import R1, Hub, seed


def _double_click(hub: Hub, clicks: int = 8) -> list[Any]:
    seed(hub, {"SSD": 100})
    pid = hub.products["SSD"]
    gate = threading.Barrier(clicks)
    payload = {"lines": [{"product_id": pid, "quantity": 3}]}

    def click(_: int) -> Any:
        gate.wait()
        return run_once(
            hub.factory,
            scope="order.create",
            owner="reseller:r1",
            key="dbl-1",
            payload=payload,
            work=lambda s: order_json(
                create_order(s, R1, "r1", [LineRequest(3, product_id=pid)], hub.ctx)
            ),
        )

    with ThreadPoolExecutor(clicks) as pool:
        outcomes = list(pool.map(click, range(clicks)))
    with hub.factory() as s:
        assert s.query(Order).count() == 1
    assert len({o.body["id"] for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    with pytest.raises(IdempotencyConflict):
        run_once(
            hub.factory,
            scope="order.create",
            owner="reseller:r1",
            key="dbl-1",
            payload={"lines": [{"product_id": pid, "quantity": 4}]},
            work=lambda s: None,
        )
    return outcomes


def test_double_click_sqlite(hub: Hub) -> None:
    _double_click(hub)


@pytest.mark.postgres
def test_double_click_postgres(pg_hub: Hub) -> None:
    _double_click(pg_hub)


def test_request_hash_ignores_key_order() -> None:
    assert request_hash({"a": 1, "b": [1, 2]}) == request_hash({"b": [1, 2], "a": 1})
    assert request_hash({"a": 1}) != request_hash({"a": 2})


def test_a_retry_gets_the_first_answer_even_when_it_would_now_fail(hub: Hub) -> None:
    """The key is checked after the work: a retry that now runs out of stock still replays the order."""
    seed(hub, {"SSD": 5})
    pid = hub.products["SSD"]

    def order_all(key: str) -> Any:
        return run_once(
            hub.factory,
            scope="order.create",
            owner="reseller:r1",
            key=key,
            payload={"lines": [{"product_id": pid, "quantity": 5}]},
            work=lambda s: order_json(
                create_order(s, R1, "r1", [LineRequest(5, product_id=pid)], hub.ctx)
            ),
        )

    first = order_all("all-5")
    retry = order_all("all-5")
    assert (retry.replayed, retry.body) == (True, first.body)
    with pytest.raises(InsufficientStock):
        order_all("another-key")  # a new request really is refused
    with hub.factory() as s:
        assert s.query(Order).count() == 1 and s.get(StockItem, pid).reserved == 5
        assert s.query(InvoiceCounter).one().last == 1  # the retry's number was rolled back: no gap
