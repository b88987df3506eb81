"""The order's papers, printed with the one document builder (:mod:`hub.documents.builder`).

* invoice (faktur penjualan): seller and buyer with legal names, addresses and NPWP; invoice
  and due dates in WIB; every line with its DPP and PPN (prices include PPN), shipping as a
  line; totals that are the sums of the lines (DPP + PPN = total); the state in words; how to
  pay. The unique transfer code is not a line: the instructions name it as part of the amount
  to transfer. A seller that is not a PKP prints no PPN at all.
* proforma for the down payment a reseller's group asks first;
* receipt (kuitansi) for every confirmed payment, the amount in words and what is left;
* packing slip: recipient, address, phone, courier, service, waybill, each line's options;
  no prices leave with the parcel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from hub.core.i18n import money
from hub.documents import tax
from hub.documents.builder import Column, Document, Party, render
from hub.documents.words import amount_in_words
from hub.orders.models import Order, OrderLine
from shared.errors import Conflict, DataError


def rupiah(amount: Decimal) -> str:
    """``Rp 1.250.000,00``: the hub's one money format (:func:`hub.core.i18n.money`), with cents."""
    return money(amount, "id", cents=True)


@dataclass(frozen=True)
class Bank:
    name: str
    account_number: str
    account_holder: str


@dataclass(frozen=True)
class Papers:
    """Who is on the order's papers and under which tax rules, in which language."""

    seller: Party
    buyer: Party
    pkp: bool  # the seller is registered for PPN
    ppn_rate: Decimal
    bank: Optional[Bank] = None
    lang: str = "id"

    @property
    def rate(self) -> Decimal:
        return self.ppn_rate if self.pkp else Decimal(0)


def _state(doc: Document, state: str) -> str:
    return doc._(state.replace("_", " "))


def _line_text(line: OrderLine) -> str:
    return f"{line.name} ({line.options})" if line.options else line.name


def _base(papers: Papers, title: str, number: str) -> Document:
    return Document(title=title, number=number, lang=papers.lang, seller=papers.seller)


def _priced_table(doc: Document, papers: Papers, items: list[tuple[str, int, Decimal]]) -> None:
    """Lines (text, quantity, amount incl. PPN) with DPP and PPN columns, and the totals."""
    splits = [tax.split(amount, papers.rate) for _, _, amount in items]
    if papers.pkp:
        doc.columns = [
            Column("No", 5, "R"),
            Column("Line description", 40),
            Column("Qty", 7, "R"),
            Column("Unit price", 17, "R"),
            Column("DPP", 17, "R"),
            Column("PPN", 15, "R"),
            Column("Amount", 18, "R"),
        ]
    else:
        doc.columns = [
            Column("No", 5, "R"),
            Column("Line description", 55),
            Column("Qty", 8, "R"),
            Column("Unit price", 18, "R"),
            Column("Amount", 18, "R"),
        ]
    for n, ((text, qty, amount), s) in enumerate(zip(items, splits), 1):
        unit = doc.money(amount / qty) if qty else "-"
        taxed = [doc.money(s.dpp), doc.money(s.ppn)] if papers.pkp else []
        doc.rows.append([str(n), text, str(qty), unit, *taxed, doc.money(s.amount)])
    sums = tax.total(splits)
    if papers.pkp:
        rate = f"{papers.rate.normalize():f}"
        doc.totals += [
            ("Total DPP", doc.money(sums.dpp), False),
            (doc._("PPN {rate}%", rate=rate), doc.money(sums.ppn), False),
        ]
    doc.totals.append(("Total", doc.money(sums.amount), True))
    if not papers.pkp:
        doc.paragraphs.append(doc._("The seller is not registered for PPN: no PPN is charged."))


def _pay_text(doc: Document, papers: Papers, order: Order, amount: Decimal) -> str:
    if papers.bank is None:
        return ""
    return doc._(
        "Please transfer {amount} to {bank} account {number} ({holder}) with reference "
        "{reference}. The amount includes the unique code {code} that finds your transfer; "
        "it is credited to your order.",
        amount=doc.money(amount),
        bank=papers.bank.name,
        number=papers.bank.account_number,
        holder=papers.bank.account_holder,
        reference=order.payment_reference or "-",
        code=order.unique_code,
    )


def invoice_document(order: Order, papers: Papers) -> Document:
    if not order.invoice_number:
        raise Conflict(
            "order #{order_id} has no invoice yet",
            order_id=order.id,
            hint="an invoice is issued when the order is placed",
        )
    title = "Sales invoice" if papers.pkp else "Invoice"
    doc = _base(papers, title, order.invoice_number)
    doc.buyer = papers.buyer
    doc.facts = [
        ("Invoice date", doc.wib_date(order.placed_at or order.created_at)),
        ("Due date", doc.wib_date(order.payment_due_at)),
        ("Order", f"#{order.id}"),
        ("Payment reference", order.payment_reference or "-"),
        ("Status", _state(doc, order.state)),
    ]
    items = [(_line_text(ln), ln.quantity, ln.line_total) for ln in order.lines]
    if order.shipping_fee:
        courier = " ".join(p for p in (order.shipping_courier.upper(), order.shipping_service) if p)
        label = doc._("Shipping") + (f" ({courier})" if courier else "")
        items.append((label, 1, Decimal(order.shipping_fee)))
    _priced_table(doc, papers, items)
    doc.totals += [
        ("Paid", doc.money(order.paid_amount), False),
        ("Amount due", doc.money(max(Decimal(0), order.total - Decimal(order.paid_amount))), True),
    ]
    if order.amount_due > 0:
        doc.paragraphs.append(_pay_text(doc, papers, order, order.amount_due))
    if order.down_payment and order.down_payment_due > 0:
        doc.paragraphs.append(
            doc._(
                "A down payment of {amount} is due first (see its proforma).",
                amount=doc.money(order.down_payment),
            )
        )
    if order.note:
        doc.paragraphs.append(f"{doc._('Note')}: {order.note}")
    return doc


def proforma_document(order: Order, papers: Papers) -> Document:
    """The down payment's own bill: the share of the order the reseller pays first."""
    if not order.invoice_number or not order.down_payment:
        raise DataError(
            "order #{order_id} asks no down payment",
            order_id=order.id,
            hint="a proforma exists for orders whose group pays a down payment first",
        )
    doc = _base(papers, "Down payment proforma", f"PRO/{order.invoice_number}")
    doc.buyer = papers.buyer
    doc.facts = [
        ("Date", doc.wib_date(order.placed_at or order.created_at)),
        ("Due date", doc.wib_date(order.payment_due_at)),
        ("Invoice", order.invoice_number),
        ("Order total", doc.money(order.total)),
    ]
    text = doc._("Down payment for order #{id}", id=order.id)
    _priced_table(doc, papers, [(text, 1, Decimal(order.down_payment))])
    doc.totals.append(("Still to pay of it", doc.money(order.down_payment_due), True))
    if order.down_payment_due > 0:
        doc.paragraphs.append(
            _pay_text(doc, papers, order, order.down_payment_due + order.unique_code)
        )
    doc.paragraphs.append(
        doc._(
            "This proforma is not a tax invoice; the invoice {invoice} is.",
            invoice=order.invoice_number,
        )
    )
    return doc


@dataclass(frozen=True)
class Receipt:
    """One confirmed payment as its kuitansi shows it."""

    number: str
    amount: Decimal
    paid_on: dt.date
    confirmed_at: dt.datetime
    payer_bank: str
    balance_after: Decimal  # what the order still owes after this payment


def receipt_document(order: Order, receipt: Receipt, papers: Papers) -> Document:
    doc = _base(papers, "Receipt", receipt.number)
    doc.seller_label = "Received by"
    doc.buyer, doc.buyer_label = papers.buyer, "Received from"
    doc.facts = [
        ("Amount", doc.money(receipt.amount)),
        ("In words", amount_in_words(receipt.amount, papers.lang)),
        (
            "Payment for",
            doc._(
                "payment of invoice {invoice} (order #{id})",
                invoice=order.invoice_number or "-",
                id=order.id,
            ),
        ),
        ("Transfer date", doc.fmt.date(receipt.paid_on)),
        ("From bank", receipt.payer_bank or "-"),
        ("Confirmed", doc.wib_datetime(receipt.confirmed_at)),
        ("Invoice total", doc.money(order.total)),
        ("Still due", doc.money(receipt.balance_after)),
    ]
    doc.signature = doc._("Jakarta, {date}", date=doc.wib_date(receipt.confirmed_at))
    return doc


def packing_slip_document(order: Order, papers: Papers) -> Document:
    doc = _base(papers, "Delivery note", f"#{order.id}")
    doc.seller_label = "Sender"
    doc.buyer_label = "Recipient"
    doc.buyer = Party(
        order.ship_to_name or papers.buyer.legal_name,
        order.ship_to_address or papers.buyer.address,
        extra=(("Phone", order.ship_to_phone or "-"), ("Reseller", order.reseller_id)),
    )
    doc.facts = [
        ("Order", f"#{order.id}"),
        ("Invoice", order.invoice_number or "-"),
        ("Date", doc.wib_date(order.placed_at or order.created_at)),
        ("Courier", f"{order.shipping_courier.upper() or '-'} {order.shipping_service}".strip()),
        ("Waybill", order.waybill or "-"),
    ]
    doc.columns = [
        Column("No", 6, "R"),
        Column("SKU", 22),
        Column("Product", 42),
        Column("Options", 22),
        Column("Qty", 8, "R"),
    ]
    for n, ln in enumerate(order.lines, 1):
        doc.rows.append([str(n), ln.sku, ln.name, ln.options or "-", str(ln.quantity)])
    if order.note:
        doc.paragraphs.append(f"{doc._('Note')}: {order.note}")
    return doc


def invoice_pdf(order: Order, papers: Papers) -> bytes:
    return render(invoice_document(order, papers))


def proforma_pdf(order: Order, papers: Papers) -> bytes:
    return render(proforma_document(order, papers))


def receipt_pdf(order: Order, receipt: Receipt, papers: Papers) -> bytes:
    return render(receipt_document(order, receipt, papers))


def packing_slip_pdf(order: Order, papers: Papers) -> bytes:
    return render(packing_slip_document(order, papers))
