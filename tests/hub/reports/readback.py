"""Reading a report back from its PDF (pdftotext) and its workbook (openpyxl)."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from hub.reports.model import MONEY, Report

NUMBER_ID = re.compile(r"-?\d{1,3}(?:\.\d{3})*,\d{2}")  # 2.050.001,00


def pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_money(text: str) -> list[Decimal]:
    """Every amount with cents printed in an Indonesian PDF, in reading order."""
    return [Decimal(m.replace(".", "").replace(",", ".")) for m in NUMBER_ID.findall(text)]


def workbook(data: bytes) -> dict[str, list[list[Any]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def report_money(report: Report) -> list[Decimal]:
    """Every amount of a report in reading order: rows, then the total row, per section."""
    out = []
    for s in report.sections:
        for row in [*s.rows, *([s.total] if s.total else [])]:
            out += [row[i] for i in s.shown if s.columns[i].kind == MONEY and row[i] is not None]
    return out
