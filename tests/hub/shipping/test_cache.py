"""The quote-input cache: what it remembers, and when it notices changes made elsewhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from hub.core.db import read_only_session_factory, session_factory
from hub.shipping.cache import ShippingCache, forget_cached
from hub.shipping.models import RateCard
from hub.shipping.ratecards import import_file
from hub.shipping.service import add_warehouse, origin_region
from shared.errors import DataError
from tests.hub.shipping.helpers import GOOD

DAY = dt.date(2025, 3, 1)


def _other_process_adds_a_card(engine: Engine) -> None:
    """A write that this process's cache is not told about (as from a CLI import elsewhere)."""
    with engine.begin() as conn:
        conn.execute(
            insert(RateCard),
            [
                {
                    "courier": "POS",
                    "service": "REG",
                    "origin": "32",
                    "destination": "35.78",
                    "price_per_kg": D(9500),
                    "min_weight": D(1),
                    "etd_min": 3,
                    "etd_max": 6,
                    "effective_from": dt.date(2025, 1, 1),
                    "effective_to": None,
                }
            ],
        )


def test_changes_from_elsewhere_are_seen_after_the_recheck_interval(
    engine: Engine, db: Session
) -> None:
    import_file(db, data=GOOD.encode(), filename="c.csv")
    db.commit()
    cache = ShippingCache(recheck_seconds=3600)
    reader = read_only_session_factory(engine)
    with reader() as s:
        before = cache.book(s)
        assert len(before.cards_for("32.73", "35.78.01", DAY)) == 5
    _other_process_adds_a_card(engine)
    with reader() as s:
        assert cache.book(s) is before  # inside the interval: no query, old book
        cache.recheck_seconds = 0
        after = cache.book(s)
    assert after is not before and ("POS", "REG") in after.cards_for("32.73", "35.78.01", DAY)
    with reader() as s:
        assert cache.book(s) is after  # same version: the book is kept, not reloaded


def test_region_answers_are_remembered_but_errors_are_not(engine: Engine, db: Session) -> None:
    cache = ShippingCache()
    with read_only_session_factory(engine)() as s:
        a = cache.region(s, "35.78.01")
        assert cache.region(s, "35.78.01") is a
        assert cache.region(s, None, postal_code="60111").kode.startswith("35.78")
        for _ in range(2):
            with pytest.raises(DataError, match="unknown kemendagri region code"):
                cache.region(s, "77.77")


def test_warehouse_added_here_is_an_origin_at_once(db: Session) -> None:
    with pytest.raises(DataError, match="warehouses: none yet"):
        origin_region(db, "SBY")
    wh = add_warehouse(db, "SBY", "Gudang Surabaya", "35.78.01")
    assert origin_region(db, "SBY").kode == "35.78.01"
    wh.active = False
    db.flush()
    forget_cached()
    with pytest.raises(DataError, match="inactive"):
        origin_region(db, "SBY")


def test_read_only_session_reads_while_a_writer_holds_the_lock(engine: Engine, db: Session) -> None:
    """Why quotes use read-only sessions: on SQLite a writer's lock must not stall them."""
    with session_factory(engine)() as writer:
        writer.execute(text("UPDATE shipping_warehouses SET name = name"))  # takes the write lock
        with read_only_session_factory(engine)() as reader:
            assert reader.execute(text("SELECT count(*) FROM shipping_regions")).scalar() > 90_000
        writer.rollback()
