"""Demo step: the warehouse's own stock movements, besides what purchasing received.

Through the back office's stock logs (``hub.inventory.records``, the forms of
/master/stock-receipts and /master/stock-adjustments): the warehouse books goods a reseller
sent back (a receipt without a purchase order) and, after a count, writes off bottles found
broken (an adjustment with its reason). Both move the stock per warehouse and are audited
under the warehouse clerk; neither can be edited afterwards (a mistake gets another entry).
"""

from __future__ import annotations

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import staff
from hub.inventory.records import ADJUSTMENTS, RECEIPTS
from hub.shipping.service import list_warehouses

RETURNED = ("NW-0024", 2, "RTR/TOKO-MAJU/0001")  # SKU, units, the reseller's return note
BROKEN = ("NW-0039", -3)  # SKU, units written off after the count


def seed(demo: Demo) -> str:
    clerk = demo.as_user(staff(Role.INVENTORY))
    with transaction(demo.factory) as s:
        warehouse = next(w.code for w in list_warehouses(s) if w.id == demo.warehouse_id)
        sku, units, note = RETURNED
        RECEIPTS.create(
            s,
            clerk,
            {
                "warehouse": warehouse,
                "sku": sku,
                "quantity": units,
                "reason": "return",
                "reference": note,
                "note": "Kemasan masih tersegel; kembali ke rak",
            },
        )
        broken_sku, change = BROKEN
        ADJUSTMENTS.create(
            s,
            clerk,
            {
                "warehouse": warehouse,
                "sku": broken_sku,
                "quantity": change,
                "reason": "damaged",
                "note": "Stock opname: tiga botol pecah di rak C-2",
            },
        )
    return (
        f"{warehouse}: {units} units of {sku} returned ({note}) received;"
        f" {-change} units of {broken_sku} written off as damaged after the count"
    )
