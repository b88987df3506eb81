"""One document builder (fpdf2) for every business paper the hub prints.

A document is a title and number, the two parties (legal name, address, NPWP), a block of
facts (dates, references), a table of lines, totals, and paragraphs (payment instructions,
notes, a signature line). Words come from the capability catalogues in the reader's language
(Indonesian by default) and dates are shown in WIB with the zone named, so a paper filed in
Jakarta never carries a UTC date that is a day off.

Core PDF fonts (Helvetica) keep the files small and need no font file on the server; they
cover Latin-1, which Indonesian needs. Anything outside it is replaced, never dropped
silently: the replaced characters show as ``?``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Optional

from fpdf import FPDF
from fpdf.fonts import FontFace

from hub.core.i18n import DISPLAY_TZ, Formatter, money

Align = Literal["L", "R", "C"]
MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN  # A4 portrait, usable width in mm


def latin1(value: object) -> str:
    """Text a core font can draw (characters outside Latin-1 become ``?``)."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


def format_npwp(digits: str) -> str:
    """``012345678901000`` → ``01.234.567.8-901.000`` (15 digits); 16-digit NPWP as they are."""
    d = "".join(c for c in digits if c.isdigit())
    if len(d) == 15:
        return f"{d[:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:]}"
    return d


@dataclass(frozen=True)
class Party:
    """Seller or buyer as a tax document names them."""

    legal_name: str
    address: str = ""
    npwp: str = ""  # digits; empty = not given
    extra: tuple[tuple[str, str], ...] = ()  # more (label, value) lines: phone, code, ...


@dataclass(frozen=True)
class Column:
    label: str  # message id, translated
    width: float  # share of the page width (the shares are scaled to fill it)
    align: Align = "L"


@dataclass
class Document:
    """What to print; :func:`render` turns it into PDF bytes."""

    title: str  # message id
    number: str
    lang: str = "id"
    seller: Optional[Party] = None
    buyer: Optional[Party] = None
    seller_label: str = "Seller"
    buyer_label: str = "Buyer"
    facts: list[tuple[str, str]] = field(default_factory=list)  # (message id, value)
    columns: list[Column] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    totals: list[tuple[str, str, bool]] = field(default_factory=list)  # (message id, value, bold)
    paragraphs: list[str] = field(default_factory=list)  # already translated
    signature: Optional[str] = None  # who signs (already translated); a line is left for it

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.lang)

    def _(self, text: str, **values: object) -> str:
        return self.fmt.gettext(text, **values)

    def wib_date(self, value: Optional[dt.datetime | dt.date]) -> str:
        """A day as the reader's calendar shows it in Jakarta: ``12 Mar 2026`` (WIB)."""
        if value is None:
            return "-"
        if isinstance(value, dt.datetime):
            value = value.astimezone(DISPLAY_TZ).date()
        return self.fmt.date(value)

    def wib_datetime(self, value: Optional[dt.datetime]) -> str:
        if value is None:
            return "-"
        local = value.astimezone(DISPLAY_TZ)
        return f"{self.fmt.date(local.date())} {local:%H:%M} WIB"

    def money(self, value: Decimal) -> str:
        """Rupiah with cents, grouped per language: ``Rp 1.250.000,00`` (id) -- the hub's one
        money format (:func:`hub.core.i18n.money`)."""
        return money(value, self.lang, cents=True)


def _party(pdf: FPDF, doc: Document, label: str, party: Party, x: float, width: float) -> float:
    """One party's block at ``x``; returns the y where it ends."""
    pdf.set_xy(x, pdf.get_y())
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(width, 5, latin1(doc._(label)), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(width, 5, latin1(party.legal_name), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if party.address:
        pdf.multi_cell(width, 4.5, latin1(party.address), new_x="LEFT", new_y="NEXT")
    npwp = format_npwp(party.npwp) if party.npwp else doc._("not registered")
    pdf.multi_cell(width, 4.5, latin1(f"NPWP: {npwp}"), new_x="LEFT", new_y="NEXT")
    for name, value in party.extra:
        pdf.multi_cell(width, 4.5, latin1(f"{doc._(name)}: {value}"), new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _table(pdf: FPDF, doc: Document) -> None:
    scale = WIDTH / sum(c.width for c in doc.columns)
    widths = tuple(c.width * scale for c in doc.columns)
    pdf.set_font("Helvetica", "", 8.5)
    with pdf.table(
        col_widths=widths,
        text_align=tuple(c.align for c in doc.columns),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 234, 240)),
        line_height=4.6,
        padding=1.2,
        first_row_as_headings=True,
    ) as table:
        table.row([latin1(doc._(c.label)) for c in doc.columns])
        for values in doc.rows:
            table.row([latin1(v) for v in values])


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 4, f"{self.footer_text} {self.page_no()}/{{nb}}", align="R")


def render(doc: Document) -> bytes:
    """The document as PDF bytes (A4, number and page on every page's footer)."""
    pdf = _Pdf(format="A4")
    pdf.footer_text = latin1(f"{doc.number} - {doc._('page')}")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.alias_nb_pages()
    pdf.set_title(latin1(f"{doc._(doc.title)} {doc.number}"))
    pdf.set_creator("SyncHub")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    heading = f"{doc._(doc.title).upper()} {doc.number}"
    pdf.multi_cell(0, 8, latin1(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    top, half = pdf.get_y(), WIDTH / 2 - 3
    ends = [top]
    if doc.seller is not None:
        ends.append(_party(pdf, doc, doc.seller_label, doc.seller, MARGIN, half))
    if doc.buyer is not None:
        pdf.set_y(top)
        ends.append(_party(pdf, doc, doc.buyer_label, doc.buyer, MARGIN + half + 6, half))
    pdf.set_xy(MARGIN, max(ends) + 3)
    for label, value in doc.facts:
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(45, 5, latin1(doc._(label)))
        pdf.multi_cell(0, 5, latin1(value), new_x="LMARGIN", new_y="NEXT")
    if doc.columns:
        pdf.ln(3)
        _table(pdf, doc)
    if doc.totals:
        pdf.ln(1)
        for label, value, bold in doc.totals:
            pdf.set_font("Helvetica", "B" if bold else "", 9)
            pdf.cell(WIDTH - 45, 6, latin1(doc._(label)), align="R")
            pdf.cell(45, 6, latin1(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for text in doc.paragraphs:
        pdf.ln(2)
        pdf.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
    if doc.signature:
        pdf.ln(6)
        pdf.set_x(MARGIN + WIDTH - 70)
        pdf.cell(70, 5, latin1(doc.signature), align="C", new_x="LEFT", new_y="NEXT")
        pdf.ln(18)
        pdf.set_x(MARGIN + WIDTH - 70)
        pdf.cell(70, 5, "(______________________)", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
