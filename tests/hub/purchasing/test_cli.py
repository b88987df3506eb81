"""`synchub purchasing ...` as docs/purchasing.md shows it, on a real (SQLite) hub home."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.catalog.models import Product
from hub.cli import cli
from hub.core.db import transaction
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings


def test_supplier_price_list_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path))
    init_hub(HubSettings())
    engine, factory = open_hub(HubSettings())
    with transaction(factory) as s:
        s.add(Product(sku="SSD-1TB", name="SSD 1 TB", list_price=Decimal(1)))
    engine.dispose()
    run = CliRunner().invoke
    r = run(
        cli,
        [
            "purchasing",
            "add-supplier",
            "--code",
            "ACME",
            "--name",
            "PT Acme Indonesia",
            "--npwp",
            "01.234.567.8-901.000",
            "--email",
            "sales@acme.co.id",
            "--terms",
            "30",
            "--lead",
            "10",
        ],
    )
    assert r.exit_code == 0 and "ACME: PT Acme Indonesia" in r.output, r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("sku;unit_cost\nSSD-1TB;abc\nNOPE;5\n", encoding="utf-8")
    r = run(cli, ["purchasing", "price-list", "ACME", str(bad)])
    assert r.exit_code != 0 and "line 2:" in r.output and "nothing was loaded" in r.output
    good = tmp_path / "acme.csv"
    good.write_text(
        "sku,unit_cost,supplier_code,order_multiple\nSSD-1TB,1000000,AC-SSD,5\n", encoding="utf-8"
    )
    r = run(cli, ["purchasing", "price-list", "ACME", str(good), "--dry-run"])
    assert r.exit_code == 0 and "dry run" in r.output, r.output
    r = run(cli, ["purchasing", "price-list", "ACME", str(good)])
    assert r.exit_code == 0 and "1 product(s) of ACME loaded" in r.output, r.output
    r = run(cli, ["purchasing", "suppliers", "--json"])
    assert json.loads(r.output)[0]["code"] == "ACME"
    for args, expected in (
        (["purchasing", "reorder"], "0 line(s) to order"),
        (["purchasing", "valuation"], "total 0"),
        (["purchasing", "ageing", "--as-of", "2026-12-31", "--json"], '"as_of": "2026-12-31"'),
    ):
        r = run(cli, args)
        assert r.exit_code == 0 and expected in r.output, (args, r.output)
