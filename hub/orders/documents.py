"""Invoice and packing slip as PDF (fpdf2, pure Python; core fonts, so text is Latin-1).

An invoice exists once the order is placed (the reseller needs its number to
pay); the packing slip lists quantities only — no prices leave with the parcel.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from fpdf import FPDF

from hub.core.i18n import money
from hub.orders.models import Order
from shared.errors import Conflict

SELLER = "SyncHub Distributor"


def _txt(value: object) -> str:
    return str(value).encode("latin-1", "replace").decode("latin-1")


def rupiah(amount: Decimal) -> str:
    """``Rp 1.250.000,00``: the hub's one money format (:func:`hub.core.i18n.money`), with cents."""
    return money(amount, "id", cents=True)


def _page(title: str, order: Order, reseller_name: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _txt(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in (
        ("Seller", SELLER),
        ("Reseller", f"{reseller_name} ({order.reseller_id})"),
        ("Order", f"#{order.id}"),
        ("Invoice", order.invoice_number or "-"),
        ("Date", (order.placed_at or order.created_at).date().isoformat()),
    ):
        pdf.cell(35, 6, _txt(label))
        pdf.cell(0, 6, _txt(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    return pdf


def _row(pdf: FPDF, cells: list[tuple[float, str, str]], bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    for width, text, align in cells:
        pdf.cell(width, 7, _txt(text)[:60], border=1, align=align)
    pdf.ln()


def invoice_pdf(
    order: Order, reseller_name: str = "", bank: Optional[dict[str, str]] = None
) -> bytes:
    if not order.invoice_number:
        raise Conflict(
            "order #{order_id} has no invoice yet",
            order_id=order.id,
            hint="an invoice is issued when the order is placed",
        )
    pdf = _page(f"INVOICE {order.invoice_number}", order, reseller_name)
    _row(
        pdf,
        [
            (30, "SKU", "L"),
            (75, "Product", "L"),
            (15, "Qty", "R"),
            (35, "Unit price", "R"),
            (35, "Amount", "R"),
        ],
        bold=True,
    )
    for ln in order.lines:
        _row(
            pdf,
            [
                (30, ln.sku, "L"),
                (75, ln.name, "L"),
                (15, str(ln.quantity), "R"),
                (35, rupiah(ln.unit_price), "R"),
                (35, rupiah(ln.line_total), "R"),
            ],
        )
    for label, amount in (
        ("Subtotal", order.subtotal),
        ("Shipping", order.shipping_fee),
        ("Unique code", Decimal(order.unique_code)),
        ("Total to transfer", order.transfer_amount),
        ("Paid", order.paid_amount),
        ("Amount due", order.amount_due),
    ):
        _row(
            pdf,
            [(155, label, "R"), (35, rupiah(amount), "R")],
            bold=label in ("Total to transfer", "Amount due"),
        )
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    if bank:
        pdf.multi_cell(
            0,
            6,
            _txt(
                f"Pay by bank transfer to {bank.get('bank')} {bank.get('account_number')} "
                f"({bank.get('account_holder')}), reference {order.payment_reference}."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.multi_cell(0, 6, _txt(f"Status: {order.state}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def packing_slip_pdf(order: Order, reseller_name: str = "") -> bytes:
    pdf = _page(f"PACKING SLIP - order #{order.id}", order, reseller_name)
    _row(pdf, [(40, "SKU", "L"), (120, "Product", "L"), (30, "Qty", "R")], bold=True)
    for ln in order.lines:
        _row(pdf, [(40, ln.sku, "L"), (120, ln.name, "L"), (30, str(ln.quantity), "R")])
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        6,
        _txt(
            f"Courier: {order.shipping_courier or '-'} {order.shipping_service} "
            f"Waybill: {order.waybill or '-'}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
