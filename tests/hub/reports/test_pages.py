"""Report pages, downloads, the dashboard and closing months, through the real app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.core.roles import Role
from tests.hub.reports.readback import pdf_money, pdf_text, workbook
from tests.hub.reports.web import App, open_app


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> App:
    return open_app(tmp_path, monkeypatch)


def test_a_report_page_its_downloads_and_drill_down(web: App, tmp_path: Path) -> None:
    boss = web.client(Role.OWNER)
    page = boss.get("/reports/sales?period=2026-01")
    assert page.status_code == 200, page.text
    assert "Penjualan" in page.text and "3.650.000,00" in page.text
    # drill down: the reseller's row links to its orders
    link = re.search(r'href="(/reports/orders\?period=2026-01&amp;reseller=r2)"', page.text)
    assert link, page.text
    orders = boss.get(link.group(1).replace("&amp;", "&"))
    assert (
        orders.status_code == 200
        and "1.000.005,00" in orders.text
        and "2.050.001,00" not in orders.text
    )
    pdf = boss.get("/reports/sales/pdf?period=2026-01&lang=en")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "3,650,000.00" in pdf_text(pdf.content, tmp_path)
    xlsx = boss.get("/reports/sales/xlsx?period=2026-01")
    assert 'filename="sales-2026-01.xlsx"' in xlsx.headers["content-disposition"]
    sheet = next(iter(workbook(xlsx.content).values()))
    assert sheet[3][0] == "Reseller" or sheet[3][0] == "Reseller"  # header row
    assert [r[3] for r in sheet[4:7]] == [2050000, 1600000, 3650000]


def test_bad_input_is_named(web: App) -> None:
    boss = web.client(Role.OWNER)
    r = boss.get("/api/v1/reports/sales?period=Jan-2026")
    assert r.status_code == 422 and r.json()["message"] == "'Jan-2026' bukan periode"
    assert "2026-01" in r.json()["hint"]
    r = boss.get("/api/v1/reports/sales?period=2026-01&by=colour")
    assert r.status_code == 422 and "colour" in r.json()["message"]
    assert boss.get("/api/v1/reports/nope").status_code in (404, 422)
    page = boss.get("/reports/sales?period=2026-13")
    assert page.status_code == 422 and "bukan periode" in page.text


def test_roles_and_a_resellers_own_statement(web: App, tmp_path: Path) -> None:
    assert web.client(Role.MARKETING).get("/reports/sales").status_code == 403
    assert web.client(Role.RESELLER, "r1").get("/reports/statement").status_code == 403
    mine = web.client(Role.RESELLER, "r2").get(
        "/portal/statement/monthly?period=2026-01&reseller=r1"
    )
    assert mine.status_code == 200 and "1.050.006,00" in mine.text  # r2's, whatever is asked
    pdf = web.client(Role.RESELLER, "r2").get("/portal/statement/pdf?period=2026-01")
    assert pdf_money(pdf_text(pdf.content, tmp_path))[-1].to_eng_string() == "1050006.00"


def test_the_dashboard(web: App) -> None:
    page = web.client(Role.OWNER).get("/reports/dashboard?period=2026-01")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Rp 3.650.000" in text and "Rp 960.000" in text  # revenue, margin
    assert 'href="/reports/orders?period=2026-01&amp;reseller=r2"' in text  # a bar drills down
    assert "<svg" in text and "cdn" not in text.lower()


def test_closing_and_reopening_from_the_pages(web: App) -> None:
    fin = web.client(Role.FINANCE)
    page = fin.get("/reports/periods")
    assert "close-2026-01" in page.text
    r = fin.post("/reports/periods/2026-01/close")
    assert r.status_code == 303
    again = fin.post("/reports/periods/2026-01/close")
    assert again.status_code == 200 and "2026-01 sudah ditutup" in again.text
    assert (
        web.client(Role.FINANCE)
        .post("/reports/periods/2026-01/reopen", data={"reason": "x" * 20})
        .status_code
        == 403
    )
    owner = web.client(Role.OWNER)
    short = owner.post("/reports/periods/2026-01/reopen", data={"reason": "oops"})
    assert short.status_code == 200 and "tuliskan alasan 2026-01 dibuka kembali" in short.text
    assert 'value="oops"' in short.text  # what was typed is kept
    ok = owner.post(
        "/reports/periods/2026-01/reopen", data={"reason": "order #5 to the wrong reseller"}
    )
    assert ok.status_code == 303
    log = owner.get("/reports/periods").text
    assert "order #5 to the wrong reseller" in log
