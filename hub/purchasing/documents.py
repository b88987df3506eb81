"""The purchase order as a PDF, in Indonesian (what the supplier receives by e-mail).

Printed with the one document builder (:mod:`hub.documents.builder`), like the order papers:
the supplier and the distributor with legal names, addresses and NPWP, dates in WIB. Supplier
costs are on it: it goes to the supplier only, never to a reseller.
"""

from __future__ import annotations

from typing import Optional

from hub.documents.builder import Column, Document, Party
from hub.purchasing.models import PurchaseOrder, Supplier


def purchase_order_document(
    po: PurchaseOrder,
    supplier: Supplier,
    warehouse: str,
    products: dict[int, tuple[str, str]],
    buyer: Party,
    approved_by: Optional[str] = None,
) -> Document:
    """``products``: product id → (SKU, name). Every line, the total, terms and delivery place."""
    doc = Document(
        title="Purchase order",
        number=po.number,
        lang="id",
        seller=Party(f"{supplier.legal_name} ({supplier.code})", supplier.address, supplier.npwp),
        seller_label="Supplier",
        buyer=buyer,
    )
    doc.facts = [
        ("Date", doc.wib_date(po.approved_at or po.created_at) + " WIB"),
        ("Deliver to", warehouse),
        ("Expected", doc.fmt.date(po.expected_on) if po.expected_on else "-"),
        ("Payment", doc._("{days} days after the invoice date", days=supplier.payment_terms_days)),
    ]
    doc.columns = [
        Column("No", 5, "R"),
        Column("Supplier code", 16),
        Column("SKU", 16),
        Column("Item", 33),
        Column("Qty", 8, "R"),
        Column("Unit price", 18, "R"),
        Column("Amount", 18, "R"),
    ]
    for n, ln in enumerate(po.lines, 1):
        sku, name = products.get(ln.product_id, (str(ln.product_id), ""))
        doc.rows.append(
            [
                str(n),
                ln.supplier_code or "-",
                sku,
                name,
                str(ln.quantity),
                doc.money(ln.unit_cost),
                doc.money(ln.amount),
            ]
        )
    doc.totals.append(("Total", doc.money(po.total), True))
    doc.paragraphs = [
        doc._("Put the number {number} on the delivery note and the invoice.", number=po.number),
        doc._("Serialised goods: attach the list of every unit's serial number."),
    ]
    if po.note:
        doc.paragraphs.append(f"{doc._('Note')}: {po.note}")
    if approved_by:
        doc.signature = doc._("Approved by: {name}", name=approved_by)
    return doc
