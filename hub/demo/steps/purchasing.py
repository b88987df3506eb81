"""Demo step: stock arrives as it does at a distributor — bought, received, invoiced.

Through ``hub.purchasing``: a supplier with its price list, a purchase order for the whole
range (approved by the owner, sent by purchasing: its PDF is written and e-mailed), the
warehouse receives it in full (serial numbers for serialised products; the receipt posts
the stock and its landed cost), finance books the supplier's invoice (three-way matched)
and pays part of it; a second order is sent and still awaited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.catalog import SERIALISED
from hub.demo.steps.people import staff
from hub.purchasing import payables, receiving, service, suppliers
from hub.purchasing.schemas import (
    InvoiceCreate,
    InvoiceLineIn,
    OrderLineIn,
    PaymentIn,
    PurchaseOrderCreate,
    ReceiptCreate,
    ReceiptLineIn,
    SupplierIn,
    SupplierProductIn,
)
from hub.purchasing.service import get_order

# Stock bought per product; slow sellers bought far too much of (the nightly run offers them
# for clearance), serialised ones a few units.
DEFAULT_QTY, SLOW_QTY, SERIAL_QTY = 300, 6_000, 12
SLOW = (17, 29, 53)  # Alice Mutton, Thüringer Rostbratwurst, Perth Pasties: discontinued shelves
PPN = Decimal("0.11")


def serials_of(pid: int, quantity: int) -> list[str]:
    return [f"SN{pid:03d}-{n:05d}" for n in range(1, quantity + 1)]


def _quantity(pid: int) -> int:
    return SERIAL_QTY if pid in SERIALISED else SLOW_QTY if pid in SLOW else DEFAULT_QTY


def seed(demo: Demo) -> str:
    buyer, owner = demo.as_user(staff(Role.PURCHASING)), demo.as_user(staff(Role.OWNER))
    store, finance = demo.as_user(staff(Role.INVENTORY)), demo.as_user(staff(Role.FINANCE))
    files = demo.settings.home / "purchasing" / "orders"
    ids = {int(s.removeprefix("NW-")): pid for s, pid in demo.products.items()}
    with transaction(demo.factory) as s:
        supplier = suppliers.create_supplier(
            s,
            buyer,
            SupplierIn(
                code="NWT",
                legal_name="PT Northwind Traders Indonesia",
                npwp="01.234.567.8-901.000",
                address="Jl. Industri Raya 3, Cikarang",
                email="sales@northwind.example",
                payment_terms_days=30,
                lead_time_days=7,
            ),
        )
        suppliers.set_products(
            s,
            buyer,
            supplier.id,
            [
                SupplierProductIn(
                    product_id=ids[n], supplier_code=f"NWT-{n}", unit_cost=Decimal(1000) * n
                )
                for n in sorted(ids)
            ],
        )
        po = service.create_order(
            s,
            buyer,
            PurchaseOrderCreate(
                supplier_id=supplier.id,
                warehouse_id=demo.warehouse_id,
                lines=[OrderLineIn(product_id=ids[n], quantity=_quantity(n)) for n in sorted(ids)],
                note="Stok awal gudang Jakarta",
            ),
        )
        service.fire(s, owner, po.id, "approve")
        service.fire(s, buyer, po.id, "send", files=files)
    with transaction(demo.factory) as s:
        po = get_order(s, po.id)
        number = {v: k for k, v in ids.items()}
        lines = [
            ReceiptLineIn(
                order_line_id=ln.id,
                quantity=ln.quantity,
                serials=serials_of(number[ln.product_id], ln.quantity)
                if number[ln.product_id] in SERIALISED
                else [],
            )
            for ln in po.lines
        ]
        receiving.create_receipt(
            s, store, po.id, ReceiptCreate(lines=lines, delivery_note="SJ-NWT-0001")
        )
        subtotal = sum((ln.unit_cost * ln.quantity for ln in po.lines), Decimal(0))
        tax = (subtotal * PPN).quantize(Decimal("0.01"))
        invoice = payables.register_invoice(
            s,
            finance,
            InvoiceCreate(
                order_id=po.id,
                number="NWT/INV/0001",
                invoice_date=demo.today - dt.timedelta(days=2),
                lines=[
                    InvoiceLineIn(
                        order_line_id=ln.id, quantity=ln.quantity, unit_price=ln.unit_cost
                    )
                    for ln in po.lines
                ],
                tax=tax,
                total=subtotal + tax,
            ),
        )
        payables.fire(s, finance, invoice.id, "approve")
        payables.pay(
            s,
            finance,
            invoice.id,
            PaymentIn(
                amount=((subtotal + tax) / 2).quantize(Decimal("0.01")),
                paid_on=demo.today,
                reference="BCA 0001",
            ),
        )
        awaited = service.create_order(
            s,
            buyer,
            PurchaseOrderCreate(
                supplier_id=supplier.id,
                warehouse_id=po.warehouse_id,
                lines=[OrderLineIn(product_id=ids[n], quantity=120) for n in (1, 2, 11)],
            ),
        )
        service.fire(s, owner, awaited.id, "approve")
        service.fire(s, buyer, awaited.id, "send", files=files)
        received = sum(ln.quantity for ln in po.lines)
        return (
            f"supplier NWT; {po.number} received in full ({received:,} units of"
            f" {len(po.lines)} products, serials for {len(SERIALISED)}); invoice NWT/INV/0001"
            f" matched, approved, half paid; {awaited.number} sent, awaited"
        )
