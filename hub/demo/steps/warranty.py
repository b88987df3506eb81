"""Demo step: a warranty claim on a unit delivered by the orders step (``hub.warranty``).

The reseller files it by serial number (the hub checks the unit was shipped to it and its
12 months run from that shipment); the repair desk receives the unit and inspects it, so
the claim waits for the desk's decision (repair, replace or refuse).
"""

from __future__ import annotations

from hub.core.db import transaction
from hub.demo.steps import Demo
from hub.warranty.schemas import ClaimCreate, ClaimStepIn
from hub.warranty.service import file_claim, fire


def seed(demo: Demo) -> str:
    assert demo.warranty_unit is not None, "the orders step delivers a serialised unit"
    reseller, sku, serial = demo.warranty_unit
    desk = demo.as_user("repair")
    with transaction(demo.factory) as s:
        claim = file_claim(
            s,
            reseller,
            ClaimCreate(
                serial=serial,
                sku=sku,
                problem="Segel botol bocor saat diterima pelanggan; label serial masih utuh.",
            ),
        )
        fire(s, desk, claim.id, "receive", ClaimStepIn(note="Diterima di meja servis Jakarta"))
        fire(
            s,
            desk,
            claim.id,
            "inspect",
            ClaimStepIn(findings="Tutup botol retak dari pabrik; bukan kesalahan pemakaian."),
        )
        return f"warranty claim {claim.number} on serial {serial} ({sku}): received, inspected"
