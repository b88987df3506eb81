"""Acceptance 1 (second half): two receipts of the same purchase order line at once never
over-receive — on real PostgreSQL (row locks) and on SQLite (the write lock)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.core.db import transaction
from hub.inventory.models import StockItem
from hub.purchasing import receiving, service
from hub.purchasing.receiving import OverReceipt
from tests.hub.purchasing.kit import STORE, Shop, open_shop, receive, sent_order


def _at_once(
    shop: Shop, po_id: int, quantities: list[int], *, drafts: bool = False
) -> tuple[int, int, list[BaseException]]:
    """Receipts of ``quantities`` posted at the same moment; with ``drafts`` they are drafted
    first (one by one: numbering them locks a counter) and only the posting races."""
    start = threading.Barrier(len(quantities))
    ready = [receive(shop, po_id, {"MOUSE": q}, post=False) for q in quantities] if drafts else []
    ok = refused = 0
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(n: int, qty: int) -> None:
        nonlocal ok, refused
        start.wait()
        try:
            if drafts:
                with transaction(shop.factory) as s:
                    receiving.fire(s, STORE, ready[n], "post")
            else:
                receive(shop, po_id, {"MOUSE": qty})
            with lock:
                ok += 1
        except OverReceipt:
            with lock:
                refused += 1
        except BaseException as exc:  # asserted below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=one, args=(n, q)) for n, q in enumerate(quantities)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return ok, refused, errors


def _check(shop: Shop) -> None:
    total = 0
    for n in range(6):
        po_id = sent_order(shop, {"MOUSE": 10})
        ok, refused, errors = _at_once(shop, po_id, [6, 6, 6], drafts=n % 2 == 1)
        assert errors == [] and (ok, refused) == (1, 2)
        # 6 + 4 fits, the second 4 does not
        ok, refused, errors = _at_once(shop, po_id, [4, 4], drafts=n % 2 == 1)
        assert errors == [] and (ok, refused) == (1, 1)
        total += 10
        with shop.factory() as s:
            po = service.get_order(s, po_id)
            assert (po.state, po.lines[0].received) == ("received", 10)
            assert s.get(StockItem, shop.products["MOUSE"]).on_hand == total


@pytest.fixture
def pg_shop(pg_database: str, tmp_path: Path) -> Iterator[Shop]:
    url = pg_database.replace("postgresql://", "postgresql+psycopg://", 1)
    shop = open_shop(url, tmp_path / "po", pool_size=10)
    yield shop
    shop.engine.dispose()


@pytest.mark.postgres
def test_concurrent_receipts_never_over_receive_on_postgres(pg_shop: Shop) -> None:
    _check(pg_shop)


def test_concurrent_receipts_never_over_receive_on_sqlite(tmp_path: Path) -> None:
    shop = open_shop(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "po")
    _check(shop)
    shop.engine.dispose()
