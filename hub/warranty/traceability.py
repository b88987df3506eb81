"""The history of a unit by its serial number: supplier receipt → reseller shipment → claims.

One query each for the units, their events, their receipt (purchase order, supplier), their
shipment (order) and their claims — for the serial report page, the API and the CLI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.inventory import serials
from hub.inventory.models import Serial, SerialEvent
from hub.purchasing.models import PurchaseOrder, Receipt, Supplier
from hub.warranty.models import Claim, SupplierClaim


@dataclass
class UnitTrace:
    unit: Serial
    sku: str
    name: str
    supplier: str = ""
    receipt: str = ""  # GRN number
    purchase_order: str = ""
    claims: list[Claim] = field(default_factory=list)
    supplier_claims: list[SupplierClaim] = field(default_factory=list)
    events: list[SerialEvent] = field(default_factory=list)
    replaced_by: Optional[str] = None
    replaces: Optional[str] = None

    @property
    def shipped_at(self) -> Optional[dt.datetime]:
        return self.unit.shipped_at


def trace(session: Session, serial: str) -> list[UnitTrace]:
    """Every unit with this serial (one per product), oldest first; empty when none."""
    out = []
    for t in serials.history(session, serial):
        u = t.unit
        product = session.get(Product, u.product_id)
        row = UnitTrace(
            u, product.sku if product else "", product.name if product else "", events=t.events
        )
        if u.supplier_id:
            s = session.get(Supplier, u.supplier_id)
            row.supplier = f"{s.code} {s.legal_name}" if s else ""
        receipt = session.scalar(select(Receipt).where(Receipt.number == u.received_ref))
        if receipt is not None:
            row.receipt = receipt.number
            po = session.get(PurchaseOrder, receipt.order_id)
            row.purchase_order = po.number if po else ""
        else:
            row.receipt = u.received_ref
        row.claims = list(
            session.scalars(
                select(Claim)
                .where(or_(Claim.serial_id == u.id, Claim.replacement_serial_id == u.id))
                .order_by(Claim.id)
            )
        )
        own = [c.id for c in row.claims if c.serial_id == u.id]
        if own:
            row.supplier_claims = list(
                session.scalars(
                    select(SupplierClaim)
                    .where(SupplierClaim.claim_id.in_(own))
                    .order_by(SupplierClaim.id)
                )
            )
        for c in row.claims:
            if c.serial_id == u.id and c.replacement_serial_id:
                new = session.get(Serial, c.replacement_serial_id)
                row.replaced_by = new.serial if new else None
            if c.replacement_serial_id == u.id:
                row.replaces = c.serial
        out.append(row)
    return out
