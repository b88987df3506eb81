"""Warranty claims: filing within the warranty (checked from the unit's shipment), the repair
desk's steps, the back-to-back supplier claim, the unit's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.core.db import transaction
from hub.inventory import serials
from hub.inventory.models import StockItem
from hub.notifications.models import OutboxMessage
from hub.notifications.service import add_contact
from hub.purchasing.models import CreditNote
from hub.warranty import service, supplier_claims, traceability
from hub.warranty.models import Unrepairable
from hub.warranty.schemas import ClaimCreate, ClaimStepIn, SupplierStepIn
from shared.errors import Conflict, DataError, Forbidden, NotFound
from tests.hub.purchasing.kit import Shop, open_shop
from tests.hub.warranty.kit import BUYER_DESK, DESK, R1, R2, add_resellers, ship, stock_laptops

UTC = dt.timezone.utc
PROBLEM = "Layar berkedip lalu mati setelah 10 menit"


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    shop = open_shop(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "po")
    add_resellers(shop)
    stock_laptops(shop, ["LT-1", "LT-2", "LT-3", "LT-4"])
    with transaction(shop.factory) as s:
        add_contact(s, "r1", "email", "toko1@example.test", "id")
    return shop


def _file(shop: Shop, serial: str, who=R1, on: dt.date | None = None, **kw) -> int:  # ANN001
    with transaction(shop.factory) as s:
        return service.file_claim(
            s,
            who,
            ClaimCreate(serial=serial, problem=kw.pop("problem", PROBLEM), **kw),
            on=on,
        ).id


def _fire(shop: Shop, claim_id: int, event: str, who=DESK, **kw) -> str:  # ANN001
    with transaction(shop.factory) as s:
        return service.fire(s, who, claim_id, event, ClaimStepIn(**kw)).state


def test_filing_is_refused_with_the_reason(shop: Shop) -> None:
    sent = ship(
        shop, "r1", ["LT-1"], at=dt.datetime(2025, 11, 30, 20, 0, tzinfo=UTC)
    )  # 1 Dec 2025 in WIB
    ship(shop, "r2", ["LT-2"])
    with pytest.raises(NotFound, match="no unit with serial 'LT-2' was shipped to you"):
        _file(shop, "lt-2")  # another reseller's unit: the same answer as an unknown one
    with pytest.raises(NotFound, match="no unit with serial 'NOPE'"):
        _file(shop, "NOPE")
    with pytest.raises(
        DataError, match="ended on 2026-12-01 \\(12 months from its shipment on 2025-12-01\\)"
    ):
        _file(shop, "LT-1", on=dt.date(2026, 12, 2))
    with pytest.raises(DataError, match="is not the one serial LT-1 was shipped with"):
        _file(shop, "LT-1", invoice_number="INV-X", on=dt.date(2026, 12, 1))
    with pytest.raises(DataError, match="at least 10 characters"):
        _file(shop, "LT-1", problem="rusak", on=dt.date(2026, 12, 1))
    claim_id = _file(
        shop, "LT-1", invoice_number=sent.invoice, on=dt.date(2026, 12, 1)
    )  # the last day
    with pytest.raises(Conflict, match="already has an open claim"):
        _file(shop, "LT-1", on=dt.date(2026, 12, 1))
    with shop.factory() as s:
        claim = service.get_claim(s, R1, claim_id)
        assert (claim.warranty_until, claim.shipped_on, claim.order_id) == (
            dt.date(2026, 12, 1),
            dt.date(2025, 12, 1),
            sent.order_id,
        )
        with pytest.raises(NotFound):
            service.get_claim(s, R2, claim_id)  # another reseller never sees it
    with pytest.raises(Forbidden):
        _fire(shop, claim_id, "receive", who=R1)


def test_warranty_end_keeps_month_ends() -> None:
    assert service.warranty_end(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert service.warranty_end(dt.date(2025, 12, 1), 12) == dt.date(2026, 12, 1)
    assert service.warranty_end(dt.date(2024, 2, 29), 36) == dt.date(2027, 2, 28)


def test_replace_then_the_supplier_credits_and_the_case_closes_itself(shop: Shop) -> None:
    ship(shop, "r1", ["LT-1"])
    claim_id = _file(shop, "LT-1")
    laptop = shop.products["LAPTOP"]
    with pytest.raises(DataError, match="what the inspection found is needed"):
        _fire(shop, claim_id, "receive") and _fire(shop, claim_id, "inspect")
    assert _fire(shop, claim_id, "inspect", findings="panel LCD rusak") == "inspected"
    with pytest.raises(Conflict, match="LT-1 is returned, not in stock"):
        _fire(shop, claim_id, "replace", replacement_serial="LT-1", courier="JNE", waybill="JN1")
    with pytest.raises(DataError, match="the waybill number is needed"):
        _fire(shop, claim_id, "replace", replacement_serial="LT-3", courier="JNE")
    assert (
        _fire(shop, claim_id, "replace", replacement_serial="lt-3", courier="JNE", waybill="JN-777")
        == "replaced"
    )
    with shop.factory() as s:
        item = s.get(StockItem, laptop)
        assert (item.on_hand, item.shipped) == (
            2,
            2,
        )  # 4 received, LT-1 shipped, LT-3 sent as replacement
        new = serials.find(s, "LT-3")
        assert (new.state, new.reseller_id) == ("shipped", "r1")
    with transaction(shop.factory) as s:
        service.log_unrepairable(s, DESK, claim_id, "mainboard terbakar", "to_supplier")
        sc = supplier_claims.open_claim(
            s, BUYER_DESK, claim_id
        )  # ACME: the unit came from its receipt
        sc_id, acme = sc.id, sc.supplier_id
    assert acme == shop.suppliers["ACME"]
    with pytest.raises(Conflict, match="waits for supplier claim SC-"):
        _fire(shop, claim_id, "close")
    with transaction(shop.factory) as s:
        supplier_claims.fire(s, DESK, sc_id, "send", SupplierStepIn())
    with (
        pytest.raises(DataError, match="needs its number and amount"),
        transaction(shop.factory) as s,
    ):
        supplier_claims.fire(s, DESK, sc_id, "answer", SupplierStepIn(answer="credit_note"))
    with transaction(shop.factory) as s:
        supplier_claims.fire(
            s,
            DESK,
            sc_id,
            "answer",
            SupplierStepIn(
                answer="credit_note", credit_number="CN-ACME-9", credit_amount=Decimal("4500000")
            ),
        )
        supplier_claims.fire(s, DESK, sc_id, "close", SupplierStepIn())
    with shop.factory() as s:
        claim = service.get_claim(s, R1, claim_id)
        assert claim.state == "closed"
        assert [e.event for e in claim.events] == [
            "file",
            "receive",
            "inspect",
            "replace",
            "unrepairable",
            "supplier_sent",
            "supplier_answer",
            "supplier_closed",
            "close",
        ]
        assert "4500000" not in " ".join(e.note for e in claim.events)  # amounts stay internal
        note = s.scalars(select(CreditNote)).one()
        assert (note.supplier_id, note.amount, note.reference) == (
            acme,
            Decimal("4500000.00"),
            supplier_claims.get(s, sc_id).number,
        )
        assert s.scalar(select(func.count()).select_from(Unrepairable)) == 1
        updates = s.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.template == "warranty_update")
        ).all()
        assert len(updates) == 9 and updates[3]["step_id"] == "Diganti: unit baru dikirim"
        assert s.scalar(select(func.count()).where(OutboxMessage.template == "supplier_claim")) == 1
        (old,) = traceability.trace(s, "LT-1")
        assert [e.event for e in old.events] == [
            "received",
            "shipped",
            "claimed",
            "returned",
            "replaced",
            "to_supplier",
            "supplier_answer",
        ]
        assert (old.unit.state, old.supplier.startswith("ACME"), old.replaced_by) == (
            "at_supplier",
            True,
            "LT-3",
        )
        assert old.purchase_order.startswith("PO-") and old.receipt.startswith("GRN-")
        (repl,) = traceability.trace(s, "LT-3")
        assert repl.replaces == "LT-1" and [e.event for e in repl.events] == ["received", "shipped"]


def test_repair_refuse_and_cancel_paths(shop: Shop) -> None:
    ship(shop, "r1", ["LT-1", "LT-2", "LT-4"])
    a, b, c = _file(shop, "LT-1"), _file(shop, "LT-2"), _file(shop, "LT-4")
    for event, kw in (
        ("receive", {}),
        ("inspect", {"findings": "konektor longgar"}),
        ("repair", {"note": "konektor diganti", "courier": "JNE", "waybill": "W1"}),
    ):
        _fire(shop, a, event, **kw)
    assert _fire(shop, a, "close") == "closed"
    assert (
        _fire(shop, b, "refuse", reason="di luar cakupan: terkena air") == "refused"
    )  # before it came in
    assert _fire(shop, c, "cancel", who=R1) == "cancelled"
    with pytest.raises(Conflict, match="cannot cancel a warranty claim that is refused"):
        _fire(shop, b, "cancel", who=R1)
    with shop.factory() as s:
        assert serials.find(s, "LT-1").state == "shipped"  # repaired and back with the reseller
        assert [c.number for c in service.list_claims(s, R2)[0]] == []
        assert len(service.list_claims(s, R1)[0]) == 3


def test_a_supplier_replacement_goes_into_stock(shop: Shop) -> None:
    ship(shop, "r1", ["LT-1"])
    claim_id = _file(shop, "LT-1")
    _fire(shop, claim_id, "receive")
    _fire(shop, claim_id, "inspect", findings="tidak bisa menyala")
    with transaction(shop.factory) as s:
        sc_id = supplier_claims.open_claim(s, DESK, claim_id).id
        supplier_claims.fire(s, DESK, sc_id, "send", SupplierStepIn())
        supplier_claims.fire(
            s,
            DESK,
            sc_id,
            "answer",
            SupplierStepIn(answer="replacement", replacement_serial="LT-NEW"),
        )
    with shop.factory() as s:
        unit = serials.find(s, "LT-NEW")
        assert (unit.state, unit.supplier_id, unit.warehouse_id) == (
            "in_stock",
            shop.suppliers["ACME"],
            1,
        )
        assert (
            s.get(StockItem, shop.products["LAPTOP"]).on_hand == 4
        )  # 4 - 1 shipped + 1 from the supplier
    # the reseller then gets that very unit
    assert (
        _fire(shop, claim_id, "replace", replacement_serial="LT-NEW", courier="JNE", waybill="W2")
        == "replaced"
    )
    with transaction(shop.factory) as s:
        supplier_claims.fire(s, DESK, sc_id, "close", SupplierStepIn())
    with shop.factory() as s:
        assert service.get_claim(s, DESK, claim_id).state == "closed"
