"""Acceptance 1 (claims): the warranty claim and supplier claim machines driven at random by
hypothesis. Whatever the sequence, after every step:

* stock agrees with the units: on hand = laptops in stock, ``shipped`` = units that left
  (with a reseller, back at the hub, scrapped or at the supplier), bins hold all on hand;
* a serial has at most one open claim; a submitted claim's unit is still with the reseller;
  a replaced claim's new unit went to the same reseller;
* every claim's timeline starts with its filing and ends in its state, and every step told
  the reseller (one message per step);
* a closed claim has no open supplier claim; a claim has at most one open supplier claim
  and one unrepairable entry;
* supplier credit notes are exactly the credit answers, with the same amounts, and the
  payables ageing shows them as credit to apply.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from hub.core.db import make_engine, session_factory, transaction
from hub.inventory.models import Bin, Serial, StockItem
from hub.notifications.models import OutboxMessage
from hub.notifications.service import add_contact
from hub.purchasing import payables
from hub.purchasing.models import CreditNote
from hub.warranty import service, supplier_claims
from hub.warranty.lifecycle import CLAIM, OPEN_CLAIM, OPEN_SUPPLIER_CLAIM, SUPPLIER_CLAIM
from hub.warranty.models import Claim, ClaimEvent, SupplierClaim, Unrepairable
from hub.warranty.schemas import ClaimCreate, ClaimStepIn, SupplierStepIn
from shared.errors import SyncHubError
from tests.hub.purchasing.kit import Shop, open_shop
from tests.hub.warranty.kit import DESK, R1, add_resellers, ship, stock_laptops

STOCKED = [f"LT-{n}" for n in range(1, 9)]
SHIPPED = STOCKED[:4]
_TEMPLATE: dict[str, Path] = {}


def _fresh() -> Shop:
    if "db" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="claim-machine-"))
        shop = open_shop(f"sqlite:///{folder / 'template.db'}", folder / "po")
        add_resellers(shop)
        stock_laptops(shop, STOCKED)
        ship(shop, "r1", SHIPPED)
        with transaction(shop.factory) as s:
            add_contact(s, "r1", "email", "toko1@example.test", "id")
        shop.engine.dispose()
        _TEMPLATE["db"] = folder / "template.db"
        _TEMPLATE["products"] = shop.products  # type: ignore[assignment]
    folder = Path(tempfile.mkdtemp(prefix="claim-machine-"))
    shutil.copy(_TEMPLATE["db"], folder / "hub.db")
    engine = make_engine(f"sqlite:///{folder / 'hub.db'}")
    shop = Shop(engine, session_factory(engine), folder / "po")
    shop.products = dict(_TEMPLATE["products"])  # type: ignore[call-overload]
    return shop


TEXT = st.sampled_from(["", "ok", "layar mati total", "konektor terbakar"])


class Warranty(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.shop = _fresh()
        self.claims: list[int] = []
        self.supplier_claims: list[int] = []
        self.new_serial = 0

    def teardown(self) -> None:
        self.shop.engine.dispose()
        shutil.rmtree(Path(self.shop.engine.url.database or "").parent, ignore_errors=True)

    def _try(self, work) -> None:  # ANN001
        try:
            with transaction(self.shop.factory) as s:
                work(s)
        except SyncHubError:
            pass

    @rule(
        serial=st.sampled_from(SHIPPED + STOCKED[4:] + ["NOPE"]),
        problem=st.sampled_from(["rusak", "Layar berkedip lalu mati"]),
    )
    def file(self, serial: str, problem: str) -> None:
        def work(s):  # ANN001, ANN202
            self.claims.append(
                service.file_claim(s, R1, ClaimCreate(serial=serial, problem=problem)).id
            )

        self._try(work)

    @precondition(lambda self: self.claims)
    @rule(
        data=st.data(),
        event=st.sampled_from(sorted(CLAIM.events)),
        text=TEXT,
        courier=st.sampled_from(["", "JNE"]),
        serial=st.sampled_from(STOCKED + ["NEW-0", "NEW-1"]),
    )
    def step(self, data: st.DataObject, event: str, text: str, courier: str, serial: str) -> None:
        claim_id = data.draw(st.sampled_from(self.claims))
        who = data.draw(st.sampled_from([DESK, DESK, R1]))
        body = ClaimStepIn(
            findings=text,
            reason=text,
            note=text,
            courier=courier,
            waybill=courier and "W1",
            replacement_serial=serial,
        )
        self._try(lambda s: service.fire(s, who, claim_id, event, body))

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), repair=st.booleans())
    def advance(self, data: st.DataObject, repair: bool) -> None:
        """The next sensible step of a claim, with good data (random steps rarely get far)."""
        claim_id = data.draw(st.sampled_from(self.claims))
        with self.shop.factory() as s:
            state = s.get(Claim, claim_id).state
            spare = s.scalar(
                select(Serial.serial).where(Serial.state == "in_stock").order_by(Serial.id)
            )
        event = {
            "submitted": "receive",
            "received": "inspect",
            "inspected": "repair" if repair else "replace",
            "repaired": "close",
            "replaced": "close",
            "refused": "close",
        }.get(state)
        if event:
            body = ClaimStepIn(
                findings="layar mati",
                note="diganti",
                courier="JNE",
                waybill="W9",
                replacement_serial=spare or "NONE",
            )
            self._try(lambda s: service.fire(s, DESK, claim_id, event, body))

    @precondition(lambda self: self.supplier_claims)
    @rule(data=st.data(), answer=st.sampled_from(["credit_note", "replacement", "refusal"]))
    def advance_supplier(self, data: st.DataObject, answer: str) -> None:
        """The next sensible step of a supplier claim, with a valid answer."""
        sc_id = data.draw(st.sampled_from(self.supplier_claims))
        with self.shop.factory() as s:
            event = {"draft": "send", "sent": "answer", "answered": "close"}.get(
                s.get(SupplierClaim, sc_id).state
            )
        self.new_serial += 1
        body = SupplierStepIn(
            answer=answer,
            answer_note="model tidak diproduksi lagi",
            credit_number=f"CN-A{self.new_serial}",
            credit_amount=Decimal("2500000"),
            replacement_serial=f"SUP-{self.new_serial}",
        )
        if event:
            self._try(lambda s: supplier_claims.fire(s, DESK, sc_id, event, body))

    @precondition(lambda self: self.claims)
    @rule(
        data=st.data(), disposition=st.sampled_from(["scrapped", "to_supplier", "lost"]), text=TEXT
    )
    def unrepairable(self, data: st.DataObject, disposition: str, text: str) -> None:
        claim_id = data.draw(st.sampled_from(self.claims))
        self._try(lambda s: service.log_unrepairable(s, DESK, claim_id, text, disposition))

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def open_supplier_claim(self, data: st.DataObject) -> None:
        claim_id = data.draw(st.sampled_from(self.claims))

        def work(s):  # ANN001, ANN202
            self.supplier_claims.append(supplier_claims.open_claim(s, DESK, claim_id).id)

        self._try(work)

    @precondition(lambda self: self.supplier_claims)
    @rule(
        data=st.data(),
        event=st.sampled_from(sorted(SUPPLIER_CLAIM.events)),
        answer=st.sampled_from(["credit_note", "replacement", "refusal", "??"]),
        amount=st.sampled_from([None, Decimal("1500000"), Decimal("99.50")]),
        text=TEXT,
    )
    def supplier_step(
        self, data: st.DataObject, event: str, answer: str, amount: Decimal | None, text: str
    ) -> None:
        sc_id = data.draw(st.sampled_from(self.supplier_claims))
        self.new_serial += 1
        body = SupplierStepIn(
            answer=answer,
            answer_note=text,
            credit_number=f"CN-{self.new_serial}" if amount else "",
            credit_amount=amount,
            replacement_serial=f"NEW-{self.new_serial % 3}",
            reason=text,
        )
        self._try(lambda s: supplier_claims.fire(s, DESK, sc_id, event, body))

    @invariant()
    def stock_agrees_with_the_units(self) -> None:
        with self.shop.factory() as s:
            laptop = self.shop.products["LAPTOP"]
            item = s.get(StockItem, laptop)
            states = dict(
                s.execute(
                    select(Serial.state, func.count())
                    .where(Serial.product_id == laptop)
                    .group_by(Serial.state)
                ).all()
            )
            left = sum(states.get(k, 0) for k in ("shipped", "returned", "scrapped", "at_supplier"))
            assert (item.on_hand, item.shipped) == (states.get("in_stock", 0), left), states
            assert (
                s.scalar(select(func.sum(Bin.on_hand)).where(Bin.product_id == laptop))
                == item.on_hand
            )

    @invariant()
    def claims_agree(self) -> None:
        with self.shop.factory() as s:
            per_serial: dict[int, int] = {}
            steps = 0
            for c in s.scalars(select(Claim)):
                unit = s.get(Serial, c.serial_id)
                if c.state in OPEN_CLAIM:
                    per_serial[c.serial_id] = per_serial.get(c.serial_id, 0) + 1
                if c.state == "submitted":
                    assert unit.state == "shipped"
                if c.state in ("received", "inspected"):
                    assert unit.state in ("returned", "scrapped", "at_supplier"), (
                        c.state,
                        unit.state,
                    )
                if c.replacement_serial_id:
                    new = s.get(Serial, c.replacement_serial_id)
                    assert c.state in ("replaced", "closed") and new.reseller_id == c.reseller_id
                events = list(
                    s.scalars(
                        select(ClaimEvent)
                        .where(ClaimEvent.claim_id == c.id)
                        .order_by(ClaimEvent.id)
                    )
                )
                assert events[0].event == "file" and events[-1].state == c.state
                steps += len(events)
                open_sc = s.scalar(
                    select(func.count()).where(
                        SupplierClaim.claim_id == c.id,
                        SupplierClaim.state.in_(sorted(OPEN_SUPPLIER_CLAIM)),
                    )
                )
                assert open_sc <= 1 and not (c.state == "closed" and open_sc)
                assert s.scalar(select(func.count()).where(Unrepairable.claim_id == c.id)) <= 1
            assert all(n == 1 for n in per_serial.values())
            assert (
                s.scalar(select(func.count()).where(OutboxMessage.template == "warranty_update"))
                == steps
            )

    @invariant()
    def credits_agree(self) -> None:
        with self.shop.factory() as s:
            answers = {
                sc.number: sc.credit_amount
                for sc in s.scalars(
                    select(SupplierClaim).where(SupplierClaim.answer == "credit_note")
                )
            }
            notes = {n.reference: n.amount for n in s.scalars(select(CreditNote))}
            assert notes == answers
            credit = sum(
                (ln.unapplied_credit for ln in payables.ageing(s, dt.date(2030, 1, 1))), Decimal(0)
            )
            assert credit == sum(notes.values(), Decimal(0))


Warranty.TestCase.settings = settings(
    max_examples=int(__import__("os").environ.get("SYNCHUB_MACHINE_EXAMPLES", "25")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
test_warranty_state_machines = pytest.mark.slow(Warranty.TestCase)
