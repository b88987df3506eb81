"""The fixed data set the report figures are checked against (by hand, in the tests).

January 2026, two resellers (r1 in Jakarta and group Gold; r2 in Surabaya, groups Gold
and Silver), three products (SSD costs 700.000 and sells at 1.000.000; RAM costs 180.000,
sells at 250.000 and r2 has a promotion at 200.000 from 10 January; CABLE sells at 50.000
and was never received at a cost). Orders, by id (the unique code of order #n is n):

  #1 r1  5 Jan  2 SSD + 1 CABLE  2.050.000  paid in full 10 Jan
  #2 r2  8 Jan  1 RAM              250.000  paid in full  9 Jan, cancelled 28 Jan (a return:
                                            the money is owed back)
  #3 r2 12 Jan  3 RAM (promotion)  600.000  partly paid 20 Jan: 300.000
  #4 r1 15 Jan  1 SSD            1.000.000  cancelled 16 Jan, unpaid
  #5 r2 25 Jan  1 SSD            1.000.000  paid 2 Feb
  #6 r1  3 Feb  1 RAM              250.000  unpaid
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from hub.catalog.models import Product, Promotion, ResellerGroup, ResellerGroupMember
from hub.core.db import transaction
from hub.orders.service import LineRequest, apply_event, create_order, get_order
from hub.payments import proofs
from hub.payments import service as payments
from hub.purchasing import costing
from hub.resellers.models import Reseller
from hub.shipping.models import Region
from tests.hub.orders.helpers import FINANCE, OPS, R1, R2, Hub, seed

UTC = dt.timezone.utc
D = Decimal


def at(day: int, month: int = 1, hour: int = 3) -> dt.datetime:
    """10:00 WIB on a day of 2026 (03:00 UTC)."""
    return dt.datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _order(hub: Hub, who, rid: str, lines: dict[str, int], when: dt.datetime) -> int:
    with transaction(hub.factory) as s:
        reqs = [LineRequest(q, product_id=hub.products[sku]) for sku, q in lines.items()]
        return create_order(s, who, rid, reqs, hub.ctx, now=when).id


def _pay(hub: Hub, who, order_id: int, day: dt.date, amount: Decimal, files: Path) -> None:
    with transaction(hub.factory) as s:
        order = get_order(s, who, order_id)
        claim = payments.TransferClaim(order.invoice_number, "BCA", "Toko", day, amount)
        stored = proofs.store(io.BytesIO(b"%PDF-1.4 proof"), files)
        conf = payments.submit(s, who, order_id, claim, stored)
        payments.confirm(s, FINANCE, conf.id)


def _cancel(hub: Hub, order_id: int, when: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelled by operations on ``when`` (the audit log's clock is set to it)."""
    monkeypatch.setattr("hub.audit.service.utcnow", lambda: when)
    with transaction(hub.factory) as s:
        apply_event(s, OPS, get_order(s, OPS, order_id), "cancel")
    monkeypatch.undo()


def build(hub: Hub, files: Path, monkeypatch: pytest.MonkeyPatch) -> Hub:
    seed(
        hub,
        {"SSD": 20, "RAM": 20, "CABLE": 20},
        prices={"SSD": "1000000", "RAM": "250000", "CABLE": "50000"},
    )
    with transaction(hub.factory) as s:
        s.add_all(
            [
                Region(kode="31", name="DKI JAKARTA", name_norm="dki jakarta", level=1),
                Region(kode="35", name="JAWA TIMUR", name_norm="jawa timur", level=1),
            ]
        )
        s.get(Reseller, "r1").region_code = "31.71"
        s.get(Reseller, "r2").region_code = "35.78"
        for sku, category in (("SSD", "Storage"), ("RAM", "Memory"), ("CABLE", "Accessories")):
            s.get(Product, hub.products[sku]).category = category
        gold, silver = ResellerGroup(name="Gold"), ResellerGroup(name="Silver")
        s.add_all([gold, silver])
        s.flush()
        s.add_all(
            [
                ResellerGroupMember(group_id=gold.id, reseller_id="r1"),
                ResellerGroupMember(group_id=gold.id, reseller_id="r2"),
                ResellerGroupMember(group_id=silver.id, reseller_id="r2"),
            ]
        )
        s.add(
            Promotion(
                name="RAM Januari",
                product_id=hub.products["RAM"],
                reseller_id="r2",
                fixed_price=D("200000"),
                valid_from=at(10, hour=0),
                valid_to=at(1, 2, hour=0),
            )
        )
        costing.book_in(s, hub.products["SSD"], 20, D("14000000"), 0, "GRN-SEED-1")
        costing.book_in(s, hub.products["RAM"], 20, D("3600000"), 0, "GRN-SEED-2")
    o1 = _order(hub, R1, "r1", {"SSD": 2, "CABLE": 1}, at(5))
    o2 = _order(hub, R2, "r2", {"RAM": 1}, at(8))
    _pay(hub, R2, o2, dt.date(2026, 1, 9), D("250002"), files)
    _pay(hub, R1, o1, dt.date(2026, 1, 10), D("2050001"), files)
    o3 = _order(hub, R2, "r2", {"RAM": 3}, at(12))
    o4 = _order(hub, R1, "r1", {"SSD": 1}, at(15))
    _cancel(hub, o4, at(16), monkeypatch)
    _pay(hub, R2, o3, dt.date(2026, 1, 20), D("300000"), files)
    o5 = _order(hub, R2, "r2", {"SSD": 1}, at(25))
    _cancel(hub, o2, at(28), monkeypatch)
    _pay(hub, R2, o5, dt.date(2026, 2, 2), D("1000005"), files)
    o6 = _order(hub, R1, "r1", {"RAM": 1}, at(3, 2))
    assert [o1, o2, o3, o4, o5, o6] == [1, 2, 3, 4, 5, 6]
    return hub
