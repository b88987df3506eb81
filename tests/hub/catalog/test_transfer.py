"""Catalog import/export: preview, per-row error report, all-or-nothing apply, CSV/XLSX round trip, search."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from hub.catalog.errors import ImportRefused
from hub.catalog.rows import ean_check_digit, valid_ean
from hub.catalog.search import search_products
from hub.catalog.transfer import export_catalog, import_catalog
from tests.hub.catalog.conftest import CATALOG_CSV

BAD = (
    b"sku,name,list_price,ean,pack_size,specs\n"
    b"X1,Good,100.50,,1,\n"
    b"X2,,abc,8990000000014,0,[1]\n"
    b"X1,Dup,5,,1,\n"
)


def test_preview_reports_every_row_error_and_apply_refuses(db):
    with db() as s:
        r = import_catalog(s, "bad.csv", BAD, preview=True)
        assert r.created == ["X1"] and not r.applied
        assert {(e.row, e.column) for e in r.errors} == {
            (3, "name"),
            (3, "list_price"),
            (3, "ean"),
            (3, "pack_size"),
            (3, "specs"),
            (4, "sku"),
        }
        assert any("check digit" in e.message for e in r.errors)
        with pytest.raises(ImportRefused, match="6 problem"):
            import_catalog(s, "bad.csv", BAD)
        assert search_products(s)[1] == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_reimports_unchanged(db, fmt):
    with db() as s, s.begin():
        first = import_catalog(s, str(CATALOG_CSV))
    with db() as s:
        data = export_catalog(s, fmt)
        again = import_catalog(s, f"catalog.{fmt}", data, preview=True)
    assert len(first.created) == 77 and again.errors == [] and len(again.unchanged) == 77


def test_search_and_update(db):
    with db() as s, s.begin():
        import_catalog(s, str(CATALOG_CSV))
        rows, n = search_products(s, "lager")
        assert n == 2 and {p.sku for p in rows} == {"NW-0067", "NW-0070"}
        assert search_products(s, "beverages lager")[1] == 2
        r = import_catalog(s, "u.csv", b"sku,name,list_price\nNW-0067,Lumberjack Lager,150000\n")
        assert r.updated == ["NW-0067"]


@given(st.text(alphabet="0123456789", min_size=7, max_size=13))
def test_ean_check_digit_property(body):
    code = body + ean_check_digit(body)
    if len(code) in (8, 12, 13, 14):
        assert valid_ean(code)
        wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
        assert not valid_ean(wrong)


def test_cli_import_preview(tmp_path, monkeypatch):
    from hub.cli import cli

    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "hub"))
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    out = CliRunner().invoke(cli, ["catalog", "import", str(CATALOG_CSV), "--preview"])
    assert out.exit_code == 0, out.output
    assert "would create 77" in out.output


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("cat.csv", b"\xff\xfe\x00", "cannot be read as UTF-8 CSV"),
        ("cat.xlsx", b"PK\x03\x04 not a workbook", "cannot be read as an XLSX workbook"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(db, name, data, reason):
    from shared.errors import DataError

    with db() as s, pytest.raises(DataError, match=reason):
        import_catalog(s, name, data, preview=True)
