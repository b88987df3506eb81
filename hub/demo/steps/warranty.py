"""Demo step: a warranty claim per reseller on the unit the orders step delivered to it.

Through ``hub.warranty``: each reseller files by serial number (the hub checks the unit was
shipped to it and that its 12 months, counted from that shipment, still run). The repair
desk has each claim at another step: one just filed, one received at the desk, one
received and inspected — waiting for the desk's decision (repair, replace or refuse).
"""

from __future__ import annotations

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import staff
from hub.warranty.schemas import ClaimCreate, ClaimStepIn
from hub.warranty.service import file_claim, fire

PROBLEM = "Segel botol bocor saat diterima pelanggan; label serial masih utuh."
STEPS = (
    ("receive", ClaimStepIn(note="Diterima di meja servis Jakarta")),
    ("inspect", ClaimStepIn(findings="Tutup botol retak dari pabrik; bukan kesalahan pemakaian.")),
)


def seed(demo: Demo) -> str:
    if not demo.warranty_units:
        raise RuntimeError("the orders step delivers a serialised unit to each reseller first")
    desk = demo.as_user(staff(Role.REPAIR))
    states = []
    with transaction(demo.factory) as s:
        for n, (reseller, sku, serial) in enumerate(demo.warranty_units):
            claim = file_claim(s, reseller, ClaimCreate(serial=serial, sku=sku, problem=PROBLEM))
            for event, data in STEPS[:n]:
                fire(s, desk, claim.id, event, data)
            states.append(f"{claim.number} {claim.state}")
    return f"warranty claims by serial, one per reseller: {', '.join(states)}"
