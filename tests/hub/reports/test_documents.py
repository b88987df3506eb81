"""Acceptance 1, second half: the PDF and the workbook hold the same numbers as the report."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hub.periods.calendar import Period
from hub.reports.kinds import KINDS, Params, build
from hub.reports.model import MONEY
from hub.reports.pdf import report_pdf
from hub.reports.sales import Filters
from hub.reports.xlsx import report_xlsx
from tests.hub.orders.helpers import Hub
from tests.hub.reports import dataset
from tests.hub.reports.readback import pdf_money, pdf_text, report_money, workbook

JAN = Period.month(2026, 1)


@pytest.fixture
def data(hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hub:
    return dataset.build(hub, tmp_path / "proofs", monkeypatch)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_pdf_and_xlsx_hold_the_reports_numbers(data: Hub, tmp_path: Path, name: str) -> None:
    filters = Filters(reseller="r2") if name == "statement" else Filters()
    with data.factory() as s:
        report = build(s, name, Params(JAN, filters))
    expected = report_money(report)
    text = pdf_text(report_pdf([report], "id"), tmp_path)
    assert pdf_money(text) == expected
    sheets = workbook(report_xlsx([report], "id"))
    from_xlsx = []
    for section, (title, rows) in zip(report.sections, sheets.items()):
        money = [n for n, i in enumerate(section.shown) if section.columns[i].kind == MONEY]
        body = rows[4 : 4 + len(section.rows) + (section.total is not None)]
        from_xlsx += [Decimal(str(r[n])) for r in body for n in money if r[n] is not None]
        assert title  # one sheet per section, named after it
    assert from_xlsx == expected


def test_the_sales_pdf_reads_as_the_director_expects(data: Hub, tmp_path: Path) -> None:
    with data.factory() as s:
        report = build(s, "sales", Params(JAN))
    text = pdf_text(report_pdf([report], "id"), tmp_path)
    assert "Penjualan — Januari 2026".replace("—", "-") in text
    assert "Toko r2 (r2)" in text and "3.650.000,00" in text and "26,7 %" in text
    english = pdf_text(report_pdf([report], "en"), tmp_path)
    assert "Sales - January 2026" in english and "3,650,000.00" in english
