"""docs/reports.md, followed literally: every `synchub` command of the guide, in its order, on
a hub holding the fixed data set; what each prints or writes is what the guide says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.audit.models import AuditEntry
from hub.cli import cli
from hub.periods.calendar import Period
from hub.reports.kinds import Params, build
from hub.reports.sales import Filters
from tests.hub.reports.readback import pdf_money, pdf_text, report_money
from tests.hub.reports.web import open_app

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "reports.md"
JAN = Period.month(2026, 1)


def commands() -> list[list[str]]:
    return [
        shlex.split(m.group(1))
        for m in re.finditer(r"^    (synchub .+)$", GUIDE.read_text(), re.MULTILINE)
    ]


def test_the_guide_lists_the_commands_it_documents() -> None:
    names = [" ".join(c[1:3]) for c in commands()]
    assert names == [
        "reports list",
        "reports show",
        "reports show",
        "reports send-monthly",
        "periods list",
        "periods close",
        "periods reopen",
    ]


def test_the_guides_commands_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    web = open_app(tmp_path, monkeypatch)
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "hub"))
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "test")
    monkeypatch.chdir(tmp_path)
    out = {}
    for argv in commands():
        result = CliRunner().invoke(cli, argv[1:], catch_exceptions=False)
        assert result.exit_code == 0, (argv, result.output)
        out[" ".join(argv[1:3]) + ("" if argv[2] != "show" else " " + argv[3])] = result.output

    assert "statement    Reseller statements" in out["reports list"]
    assert "Storage" in out["reports show sales"] and "Memory" in out["reports show sales"]
    # the statement written as the guide says holds the statement's amounts
    with web.hub.factory() as s:
        statement = build(s, "statement", Params(JAN, Filters(reseller="r2")))
    pdf = pdf_text((tmp_path / "r2-2026-01.pdf").read_bytes(), tmp_path)
    assert pdf_money(pdf) == report_money(statement)
    assert "2026-01: 0 queued" in out["reports send-monthly"]  # nobody subscribed yet
    assert "2026-01" in out["periods list"]
    assert "2026-01: closed" in out["periods close"] and "reports frozen" in out["periods close"]
    assert "2026-01: reopened" in out["periods reopen"]
    with web.hub.factory() as s:
        reopen = s.scalars(select(AuditEntry).where(AuditEntry.action == "period.reopen")).one()
    assert reopen.after == {"reason": "transfer of 31 January arrived late"}
