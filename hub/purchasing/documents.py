"""The purchase order as a PDF, in Indonesian (what the supplier receives by e-mail).

fpdf2 with core fonts (Latin-1), like the order documents (``hub.orders.documents``), whose
money format and seller name it reuses. Dates are WIB. Supplier costs are on it: it goes
to the supplier only, never to a reseller.
"""

from __future__ import annotations

from typing import Optional

from fpdf import FPDF

from hub.core.i18n import DISPLAY_TZ
from hub.orders.documents import SELLER, rupiah
from hub.purchasing.models import PurchaseOrder, Supplier
from hub.purchasing.suppliers import format_npwp


def _txt(value: object) -> str:
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _cells(pdf: FPDF, cells: list[tuple[float, str, str]], bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    for width, text, align in cells:
        pdf.cell(width, 7, _txt(text)[:48], border=1, align=align)
    pdf.ln()


def purchase_order_pdf(
    po: PurchaseOrder,
    supplier: Supplier,
    warehouse: str,
    products: dict[int, tuple[str, str]],
    buyer: str = SELLER,
    approved_by: Optional[str] = None,
) -> bytes:
    """``products``: product id → (SKU, name). Every line, the total, terms and delivery place."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _txt(f"PESANAN PEMBELIAN {po.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    when = (po.approved_at or po.created_at).astimezone(DISPLAY_TZ)
    facts = [
        ("Pembeli", buyer),
        ("Pemasok", f"{supplier.legal_name} ({supplier.code})"),
        ("NPWP pemasok", format_npwp(supplier.npwp) or "-"),
        ("Alamat pemasok", supplier.address or "-"),
        ("Tanggal", when.strftime("%d-%m-%Y") + " WIB"),
        ("Dikirim ke", warehouse),
        ("Perkiraan tiba", po.expected_on.strftime("%d-%m-%Y") if po.expected_on else "-"),
        ("Pembayaran", f"{supplier.payment_terms_days} hari setelah tanggal faktur"),
    ]
    for label, value in facts:
        pdf.cell(38, 6, _txt(label))
        pdf.multi_cell(0, 6, _txt(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _cells(
        pdf,
        [
            (8, "No", "R"),
            (27, "Kode pemasok", "L"),
            (27, "SKU", "L"),
            (58, "Nama barang", "L"),
            (14, "Jumlah", "R"),
            (28, "Harga satuan", "R"),
            (28, "Jumlah harga", "R"),
        ],
        bold=True,
    )
    for n, ln in enumerate(po.lines, 1):
        sku, name = products.get(ln.product_id, (str(ln.product_id), ""))
        _cells(
            pdf,
            [
                (8, str(n), "R"),
                (27, ln.supplier_code or "-", "L"),
                (27, sku, "L"),
                (58, name, "L"),
                (14, str(ln.quantity), "R"),
                (28, rupiah(ln.unit_cost), "R"),
                (28, rupiah(ln.amount), "R"),
            ],
        )
    _cells(pdf, [(162, "Total", "R"), (28, rupiah(po.total), "R")], bold=True)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    lines = [
        f"Cantumkan nomor {po.number} pada surat jalan dan faktur.",
        "Barang bernomor seri: lampirkan daftar nomor seri setiap unit.",
    ]
    if po.note:
        lines.append(f"Catatan: {po.note}")
    if approved_by:
        lines.append(f"Disetujui oleh: {approved_by}")
    for text in lines:
        pdf.multi_cell(0, 6, _txt(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
