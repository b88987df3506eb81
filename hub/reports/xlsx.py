"""Reports as XLSX (openpyxl): one sheet per section, exact numbers in number cells.

Money is a number with two decimals (format ``#,##0.00``), counts are integers, dates are
dates: a spreadsheet adds them up to the same totals as the report. The file depends only
on the report and the language (document dates = the report's ``built_at``, zip entries
with a fixed time), so a frozen report gives the same bytes every day.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hub.core.i18n import Formatter
from hub.reports.model import DATE, INT, MONEY, PCT, WORD, Column, Report
from hub.reports.render import heading, note

FORMATS = {MONEY: "#,##0.00", INT: "#,##0", PCT: "0.0", DATE: "yyyy-mm-dd"}
_BAD = re.compile(r"[\[\]:*?/\\]")
_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")
BOLD = Font(bold=True)


def _value(fmt: Formatter, column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == WORD:
        return fmt.gettext(value)
    return value  # Decimal money is written as its exact digits


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _BAD.sub(" ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.casefold() in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name.casefold())
    return name


def report_xlsx(reports: Iterable[Report], lang: str) -> bytes:
    fmt = Formatter(lang)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    made = None
    for report in reports:
        made = made or report.built_at
        title, line = heading(fmt, report)
        for section in report.sections:
            ws = wb.create_sheet(_sheet_name(fmt.gettext(section.title), taken))
            ws.append([title])
            ws["A1"].font = Font(bold=True, size=13)
            ws.append([line])
            ws.append([fmt.gettext(section.title)])
            shown = section.shown
            cols = [section.columns[i] for i in shown]
            ws.append([fmt.gettext(c.label) for c in cols])
            for c in ws[ws.max_row]:
                c.font = BOLD
            for row in section.rows:
                ws.append([_value(fmt, section.columns[i], row[i]) for i in shown])
            if section.total is not None:
                ws.append(
                    [
                        fmt.gettext(v) if isinstance(v, str) else _value(fmt, section.columns[i], v)
                        for i, v in ((i, section.total[i]) for i in shown)
                    ]
                )
                for c in ws[ws.max_row]:
                    c.font = BOLD
            for n, c in enumerate(cols, 1):
                letter = get_column_letter(n)
                if c.kind in FORMATS:
                    for (cell,) in ws.iter_rows(min_row=5, min_col=n, max_col=n):
                        cell.number_format = FORMATS[c.kind]
                ws.column_dimensions[letter].width = max(10, min(40, len(fmt.gettext(c.label)) + 4))
            if text := note(fmt, section):
                ws.append([])
                ws.append([text])
            ws.freeze_panes = "A5"
    if not wb.worksheets:
        wb.create_sheet("-")
    if made is not None:
        wb.properties.created = wb.properties.modified = made.replace(tzinfo=None)
    wb.properties.creator = "SyncHub"
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed(raw.getvalue(), made.strftime("%Y-%m-%dT%H:%M:%SZ").encode() if made else b"")


def _fixed(data: bytes, modified: bytes) -> bytes:
    """The same workbook with fixed zip times and modification date (openpyxl stamps "now")."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml" and modified:
                content = _MODIFIED.sub(
                    rb"<dcterms:modified\1>" + modified + rb"</dcterms:modified>", content
                )
            fixed = zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()
