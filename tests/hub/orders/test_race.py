"""Acceptance 1: concurrent orders never oversell and never deadlock (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from hub.core.db import transaction
from hub.inventory.models import StockItem
from hub.inventory.service import InsufficientStock
from hub.orders.models import Order
from hub.orders.service import LineRequest, create_order
from tests.hub.orders.helpers import R1, Hub, seed


def _hammer(
    hub: Hub, n: int, lines_for: Callable[[int], list[LineRequest]]
) -> tuple[int, int, list[BaseException]]:
    start = threading.Barrier(min(n, 20))
    ok = refused = 0
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal ok, refused
        if i < 20:
            start.wait()
        try:
            with transaction(hub.factory) as s:
                create_order(s, R1, "r1", lines_for(i), hub.ctx)
            with lock:
                ok += 1
        except InsufficientStock:
            with lock:
                refused += 1
        except BaseException as exc:  # collected and asserted below
            with lock:
                errors.append(exc)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(one, range(n)))
    return ok, refused, errors


def _check_exactly_ten(hub: Hub) -> None:
    seed(hub, {"SSD-1TB": 10})
    pid = hub.products["SSD-1TB"]
    ok, refused, errors = _hammer(hub, 100, lambda i: [LineRequest(quantity=1, product_id=pid)])
    assert errors == []
    assert (ok, refused) == (10, 90)
    with hub.factory() as s:
        item = s.get(StockItem, pid)
        assert (item.on_hand, item.reserved, item.shipped) == (10, 10, 0)
        placed = s.query(Order).filter(Order.state == "awaiting_payment").count()
        assert placed == 10
        # invoice numbers are gap-free
        numbers = sorted(o.invoice_number for o in s.query(Order))
        assert [int(n.rsplit("/", 1)[1]) for n in numbers] == list(range(1, 11))


def _check_no_deadlock(hub: Hub) -> None:
    skus = [f"P{i}" for i in range(6)]
    seed(hub, {sku: 40 for sku in skus})
    ids = [hub.products[s] for s in skus]
    rng = random.Random(7)
    plans = []
    for _ in range(60):
        chosen = rng.sample(ids, k=rng.randint(2, 5))
        rng.shuffle(chosen)  # lines in random order: the service must still lock in id order
        plans.append(
            [LineRequest(quantity=rng.randint(1, 4), product_id=p) for p in chosen]
            + [LineRequest(quantity=1, product_id=chosen[0])]
        )  # a repeated product
    ok, refused, errors = _hammer(hub, len(plans), lambda i: plans[i])
    assert errors == [], errors[:3]
    assert ok + refused == len(plans) and ok > 0
    with hub.factory() as s:
        for pid in ids:
            item = s.get(StockItem, pid)
            assert 0 <= item.reserved <= item.on_hand == 40
            booked = sum(
                ln.quantity for o in s.query(Order) for ln in o.lines if ln.product_id == pid
            )
            assert booked == item.reserved


def test_hundred_buyers_ten_units_sqlite(hub: Hub) -> None:
    _check_exactly_ten(hub)


def test_overlapping_multiline_orders_sqlite(hub: Hub) -> None:
    _check_no_deadlock(hub)


@pytest.mark.postgres
def test_hundred_buyers_ten_units_postgres(pg_hub: Hub) -> None:
    _check_exactly_ten(pg_hub)


@pytest.mark.postgres
def test_overlapping_multiline_orders_postgres(pg_hub: Hub) -> None:
    _check_no_deadlock(pg_hub)
