"""Reports as PDF: fpdf2, A4 landscape, one table per section, headings repeated on each page.

fpdf2 like the order and purchase documents (``hub.orders.documents``): pure Python, core
fonts (Latin-1: the few typographic signs outside it are written plainly). The file depends
only on the report and the language — its creation date is the report's ``built_at`` — so a
frozen report gives the same bytes every day.
"""

from __future__ import annotations

from typing import Iterable

from fpdf import FPDF
from fpdf.fonts import FontFace

from hub.core.i18n import Formatter
from hub.reports.model import INT, MONEY, PCT, Report, Section
from hub.reports.render import cell, cut_note, heading, note

ROWS = 2000  # per section; the workbook has them all (said under the table)
_PLAIN = str.maketrans({"—": "-", "–": "-", "→": "->", "÷": "/", "×": "x", "·": "-", "…": "..."})
_RIGHT = (MONEY, INT, PCT)


def text(value: str) -> str:
    return value.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class _Doc(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")


def _widths(section: Section, shown: list[int], rows: list[list[str]], total: float) -> list[float]:
    longest = [
        max([len(section.columns[i].label), *(len(r[n]) for r in rows[:200])])
        for n, i in enumerate(shown)
    ]
    weights = [min(max(w, 4), 40) for w in longest]
    return [total * w / sum(weights) for w in weights]


def _section(pdf: FPDF, fmt: Formatter, section: Section) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, text(fmt.gettext(section.title)), new_x="LMARGIN", new_y="NEXT")
    shown = section.shown
    rows = [[cell(fmt, section.columns[i], r[i]) for i in shown] for r in section.rows[:ROWS]]
    head = [fmt.gettext(section.columns[i].label) for i in shown]
    body = rows + (
        [[cell(fmt, section.columns[i], section.total[i], total=True) for i in shown]]
        if section.total is not None
        else []
    )
    pdf.set_font("Helvetica", "", 7)
    align = tuple("RIGHT" if section.columns[i].kind in _RIGHT else "LEFT" for i in shown)
    widths = _widths(section, shown, [head, *body], pdf.epw)
    with pdf.table(
        col_widths=widths,
        text_align=align,
        line_height=4.2,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        repeat_headings=1,
    ) as table:
        for values in (head, *body):
            row = table.row()
            for v in values:
                row.cell(text(v))
    more = max(len(section.rows) - ROWS, 0) + section.cut
    lines = [note(fmt, section), cut_note(fmt, min(len(section.rows), ROWS), more)]
    pdf.set_font("Helvetica", "I", 7)
    for line in filter(None, lines):
        pdf.multi_cell(0, 4, text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def report_pdf(reports: Iterable[Report], lang: str) -> bytes:
    """One PDF of one or more reports (the monthly pack), each starting on a new page."""
    fmt = Formatter(lang)
    pdf = _Doc(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_title("SyncHub")
    first = True
    for report in reports:
        if first:
            pdf.set_creation_date(report.built_at)
            first = False
        pdf.add_page()
        title, line = heading(fmt, report)
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 8, text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(0, 5, text(line), new_x="LMARGIN", new_y="NEXT")
        for msgid, values in report.notes:
            pdf.multi_cell(0, 4, text(fmt.gettext(msgid, **values)), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for section in report.sections:
            _section(pdf, fmt, section)
    return bytes(pdf.output())
