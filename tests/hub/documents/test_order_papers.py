"""The order's papers read by their text (pdftotext), as an Indonesian accountant checks them:
parties with legal names, addresses and NPWP; dates in WIB; DPP + PPN = total; no internal code
as a line; states in words; Indonesian unless the reader asked for English.

Golden text files keep the layout under review (``SYNCHUB_UPDATE_GOLDEN=1`` rewrites them and
their PNG renderings in ``golden/``); every run also renders PNGs into ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from hub.documents.builder import Party
from hub.documents.parties import distributor
from hub.orders.documents import (
    Bank,
    Papers,
    Receipt,
    invoice_pdf,
    packing_slip_pdf,
    proforma_pdf,
    receipt_pdf,
)
from hub.orders.models import Order, OrderLine

GOLDEN = Path(__file__).parent / "golden"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "documents"
UTC = dt.timezone.utc
SELLER = Party(
    "PT Sinar Distribusi Nusantara", "Jl. Gajah Mada 12, Jakarta Pusat 10130", "012345678901000"
)
BUYER = Party(
    "CV Toko Makmur Jaya", "Jl. Pemuda 5, Kota Semarang, Jawa Tengah 50132", "998877665544000",
    extra=(("Reseller", "r1"),),
)  # fmt: skip
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def papers(pkp: bool = True, lang: str = "id") -> Papers:
    return Papers(SELLER, BUYER, pkp, Decimal(11), Bank("BCA", "1234567890", "PT Sinar"), lang)


def order(state: str = "awaiting_payment", paid: str = "0") -> Order:
    # placed at 20:30 UTC on 1 March = 03:30 WIB on 2 March: the papers must say 2 March
    placed = dt.datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    o = Order(
        id=42, reseller_id="r1", state=state, source="cart", currency="IDR",
        subtotal=Decimal("2331000.00"), shipping_fee=Decimal("55500.00"), unique_code=417,
        paid_amount=Decimal(paid), payment_reference="SH42X7", invoice_number="INV/2026/000042",
        waybill="JNE0012345678", shipping_courier="jne", shipping_service="REG",
        note="Tolong dikemas rapat", created_at=placed, placed_at=placed,
        payment_due_at=placed + dt.timedelta(days=7), down_payment=Decimal("238650.00"),
        ship_to_name="Budi Santoso", ship_to_phone="+62 812 3456 7890",
        ship_to_address="Jl. Pemuda 5, Kota Semarang, Jawa Tengah 50132",
        lines=[
            OrderLine(product_id=1, sku="KAOS-M-L", name="Kaos Polo", quantity=10,
                      unit_price=Decimal("111000.00"), options="Warna: Merah, Ukuran: L"),
            OrderLine(product_id=2, sku="KAOS-B-M", name="Kaos Polo", quantity=11,
                      unit_price=Decimal("111000.00"), options="Warna: Biru, Ukuran: M"),
        ],
    )  # fmt: skip
    return o


def text_of(pdf: bytes, tmp: Path, name: str) -> str:
    path = tmp / f"{name}.pdf"
    path.write_bytes(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    targets = [ARTIFACTS] + ([GOLDEN] if os.environ.get("SYNCHUB_UPDATE_GOLDEN") else [])
    if shutil.which("pdftoppm"):
        for where in targets:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(where / name)],
                check=True,
            )
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def matches_golden(text: str, name: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("SYNCHUB_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{name}: layout changed (review the PNG)"


def amounts(text: str, label: str) -> Decimal:
    m = re.search(rf"{label}\s+Rp ([\d.]+,\d\d)", text)
    assert m, f"no {label!r} amount in:\n{text}"
    return Decimal(m.group(1).replace(".", "").replace(",", "."))


def test_invoice_is_a_tax_invoice_in_indonesian(tmp_path: Path) -> None:
    text = text_of(invoice_pdf(order(), papers()), tmp_path, "invoice")
    for expected in (
        "FAKTUR PENJUALAN INV/2026/000042",
        "PT Sinar Distribusi Nusantara", "Jl. Gajah Mada 12", "NPWP: 01.234.567.8-901.000",
        "CV Toko Makmur Jaya", "Jl. Pemuda 5", "NPWP: 99.887.766.5-544.000",
        "Tanggal faktur", "2 Mar 2026", "Jatuh tempo", "9 Mar 2026",
        "menunggu pembayaran", "Kaos Polo (Warna: Merah, Ukuran: L)",
        "Ongkos kirim (JNE REG)", "BCA 1234567890", "SH42X7",
    ):  # fmt: skip
        assert expected in text, expected
    assert "awaiting_payment" not in text and "1 Mar 2026" not in text
    dpp, ppn, total = (amounts(text, k) for k in ("Jumlah DPP", r"PPN 11%", "Total"))
    assert dpp + ppn == total == Decimal("2386500.00")  # goods + shipping, PPN included
    # the unique code is named in the instructions, never a line of the invoice
    assert "417" in text and not re.search(r"(?m)^\s*\d+\s+Kode unik", text)
    assert amounts(text, "Silakan transfer") == Decimal("2386917.00")  # total + unique code
    matches_golden(text, "invoice")


def test_invoice_without_ppn_for_a_seller_not_registered(tmp_path: Path) -> None:
    text = text_of(invoice_pdf(order(), papers(pkp=False)), tmp_path, "invoice-non-pkp")
    assert "FAKTUR INV/2026/000042" in text and "tidak dipungut PPN" in text
    assert "DPP" not in text and "PPN 11%" not in text
    assert amounts(text, "Total") == Decimal("2386500.00")


def test_invoice_in_english_when_asked(tmp_path: Path) -> None:
    text = text_of(
        invoice_pdf(order("partially_paid", "500000"), papers(lang="en")), tmp_path, "invoice-en"
    )
    assert "SALES INVOICE INV/2026/000042" in text and "partially paid" in text
    assert "Mar 2, 2026" in text and re.search(r"Amount due\s+Rp 1,886,500\.00", text)


def test_proforma_for_the_down_payment(tmp_path: Path) -> None:
    text = text_of(proforma_pdf(order(), papers()), tmp_path, "proforma")
    assert "PROFORMA UANG MUKA PRO/INV/2026/000042" in text
    assert "Uang muka pesanan #42" in text and "bukan faktur pajak" in text
    dpp, ppn, total = (amounts(text, k) for k in ("Jumlah DPP", r"PPN 11%", "Total"))
    assert dpp + ppn == total == Decimal("238650.00")
    matches_golden(text, "proforma")


def test_receipt_states_the_amount_in_words_and_what_is_left(tmp_path: Path) -> None:
    o = order("partially_paid", "238650")
    r = Receipt(
        number="KW/2026/000042-1", amount=Decimal("238650.00"), paid_on=dt.date(2026, 3, 2),
        confirmed_at=dt.datetime(2026, 3, 2, 18, 0, tzinfo=UTC), payer_bank="Mandiri",
        balance_after=Decimal("2148267.00"),
    )  # fmt: skip
    text = text_of(receipt_pdf(o, r, papers()), tmp_path, "receipt")
    for expected in (
        "KUITANSI KW/2026/000042-1", "Telah terima dari", "CV Toko Makmur Jaya",
        "dua ratus tiga puluh delapan ribu enam ratus lima puluh rupiah",
        "faktur INV/2026/000042 (pesanan #42)", "Mandiri",
        "3 Mar 2026 01:00 WIB", "Jakarta, 3 Mar 2026",
    ):  # fmt: skip
        assert expected in text, expected
    assert amounts(text, "Sisa tagihan") == Decimal("2148267.00")
    matches_golden(text, "receipt")


def test_packing_slip_says_who_where_how_and_which_options(tmp_path: Path) -> None:
    text = text_of(packing_slip_pdf(order("packed"), papers()), tmp_path, "packing-slip")
    for expected in (
        "SURAT JALAN #42", "Penerima", "Budi Santoso", "Jl. Pemuda 5, Kota Semarang",
        "Telepon: +62 812 3456 7890", "JNE REG", "JNE0012345678",
        "Warna: Merah, Ukuran: L", "Warna: Biru, Ukuran: M", "Tolong dikemas rapat",
    ):  # fmt: skip
        assert expected in text, expected
    assert "Rp" not in text  # no prices leave with the parcel
    matches_golden(text, "packing-slip")


def test_the_distributor_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_SELLER_LEGAL_NAME", "PT Contoh")
    monkeypatch.setenv("SYNCHUB_SELLER_NPWP", "012345678901000")
    assert distributor() == Party("PT Contoh", "", "012345678901000")
