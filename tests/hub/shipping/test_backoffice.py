"""Shipping set-up from the browser's seat: regions in one click, warehouses, rate cards, addresses.

One hub for the module; its regions are loaded the way an operator does it (the button),
which is itself the first test.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from hub.cli import cli
from hub.core.roles import Role
from hub.shipping.models import RateCard, ResellerAddress, Warehouse
from tests.hub.shipping.helpers import GOOD, HEADER
from tests.hub.web.webkit import Seeded, audit_count, cli_env, english, last_audit, seed


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """An empty hub whose operator loads the bundled regions with the button."""
    hub = seed(Path(tmp_path_factory.mktemp("ship")))
    owner = english(hub)
    page = owner.get("/regions").text
    assert 'id="load-regions"' in page and "Load the bundled regions" in page
    r = owner.post("/regions/load")
    assert r.status_code == 303 and r.headers["location"] == "/regions"
    deadline = time.monotonic() + 300
    while True:
        page = owner.get("/regions").text
        if 'id="load-running"' not in page:
            break
        assert 'hx-trigger="every 2s"' in page  # the page keeps itself up to date
        assert time.monotonic() < deadline, "the region load did not finish"
        time.sleep(0.5)
    hub.region_page = page  # type: ignore[attr-defined]
    return hub


def test_regions_load_in_one_click_and_say_what_was_loaded(hub: Seeded) -> None:
    page: str = hub.region_page  # type: ignore[attr-defined]
    assert 'id="load-done"' in page and "postal codes" in page, page[-2000:]
    assert "Reload the bundled regions" in page
    entry = last_audit(hub)
    assert entry.action == "regions.load" and entry.actor == "owner"
    assert entry.after["regions"]["village"] > 80_000
    options = english(hub).get("/regions/suggest", params={"region": "bandung", "field": "region"})
    assert '<option value="32.73">' in options.text


def test_a_warehouse_names_a_real_region_and_can_be_edited_and_deactivated(hub: Seeded) -> None:
    owner = english(hub)
    bad = owner.post(
        "/warehouses/new", data={"code": "BDG", "name": "Gudang Bandung", "region": "99.99"}
    )
    assert (
        bad.status_code == 422 and 'id="error-region"' in bad.text and 'value="99.99"' in bad.text
    )
    before = audit_count(hub)
    ok = owner.post(
        "/warehouses/new",
        data={"code": "BDG", "name": "Gudang Bandung", "region": "32.73", "address": "Jl. Asia"},
    )
    assert ok.status_code == 303, ok.text
    with hub.app.state.hub.session_factory() as s:
        wh = s.scalars(select(Warehouse).where(Warehouse.code == "BDG")).one()
    edit = owner.post(
        f"/warehouses/{wh.id}",
        data={"code": "BDG", "name": "Gudang Bandung Timur", "region": "32.73.01"},
    )
    assert edit.status_code == 303
    assert owner.post(f"/warehouses/{wh.id}/active", data={"active": "false"}).status_code == 303
    assert audit_count(hub) == before + 3
    assert last_audit(hub).action == "warehouse.deactivate"
    with hub.app.state.hub.session_factory() as s:
        wh = s.get(Warehouse, wh.id)
        assert (wh.name, wh.region_kode, wh.active) == ("Gudang Bandung Timur", "32.73.01", False)
    assert "Gudang Bandung Timur" in owner.get("/warehouses?status=inactive").text
    dup = owner.post("/warehouses/new", data={"code": "bdg", "name": "x", "region": "32.73"})
    assert dup.status_code == 422 and "a warehouse with code bdg exists" in dup.text


def test_rate_card_upload_previews_the_dates_then_applies_and_is_audited(hub: Seeded) -> None:
    owner = english(hub, Role.INVENTORY)
    r = owner.post("/rate-cards/upload", files={"file": ("jne.csv", GOOD.encode(), "text/csv")})
    assert r.status_code == 200 and 'id="rate-plan"' in r.text and 'id="confirm"' in r.text
    assert "Jan 1, 2025" in r.text
    with hub.app.state.hub.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RateCard)) == 0  # preview wrote nothing
    upload = r.text.split("/rate-cards/upload/")[1].split("/apply")[0]
    done = owner.post(f"/rate-cards/upload/{upload}/apply")
    assert done.status_code == 200 and "6 tariff lines imported from jne.csv." in done.text
    assert 'id="cards"' in done.text and "35.78.01" in done.text
    entry = last_audit(hub)
    assert entry.action == "rate_card.import" and entry.after["lines"] == 6
    newer = f"{HEADER}\nJNE,REG,32.73,35.78,12000,1,2,3,2026-01-01,\n"
    preview = owner.post(
        "/rate-cards/upload", files={"file": ("n.csv", newer.encode(), "text/csv")}
    )
    assert "Jan 1, 2026" in preview.text and ">1</td>" in preview.text  # one line ends that day
    bad = f"{HEADER}\nJNE,REG,32.73,99.99,11000,1,2,3,2025-01-01,\n"
    refused = owner.post("/rate-cards/upload", files={"file": ("b.csv", bad.encode(), "text/csv")})
    assert refused.status_code == 422 and "unknown region code" in refused.text
    assert 'id="confirm"' not in refused.text
    on = owner.get("/rate-cards", params={"on": "2025-06-01", "courier": "tiki"})
    assert "10,500" in on.text and 'id="count">1 record<' in on.text
    export = owner.get("/rate-cards/export?format=csv").text
    assert export.splitlines()[0] == HEADER


def test_cli_changes_to_rate_cards_and_warehouses_are_audited(
    hub: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_env(hub, monkeypatch)
    file = tmp_path / "tiki.csv"
    file.write_text(f"{HEADER}\nTIKI,REG,32.73,35.78,9900,1,2,4,2027-01-01,\n")
    run = CliRunner().invoke(cli, ["shipping", "ratecard", "import", str(file)])
    assert run.exit_code == 0, run.output
    entry = last_audit(hub)
    assert entry.action == "rate_card.import" and entry.actor.startswith("cli:")
    run = CliRunner().invoke(cli, ["shipping", "warehouse-add", "SBY", "35.78", "--name", "Sby"])
    assert run.exit_code == 0, run.output
    entry = last_audit(hub)
    assert entry.action == "warehouse.create" and entry.actor.startswith("cli:")


def test_delivery_addresses_for_a_reseller(hub: Seeded) -> None:
    ops = english(hub, Role.OPERATIONS)
    r = ops.post(
        "/reseller-addresses/new?reseller=r1",
        data={
            "reseller": "r1",
            "label": "Toko utama",
            "region": "32.73.01",
            "postal_code": "4011",
            "is_default": "yes",
        },
    )
    assert r.status_code == 422 and 'id="error-postal_code"' in r.text
    r = ops.post(
        "/reseller-addresses/new?reseller=r1",
        data={"reseller": "r1", "label": "Toko utama", "region": "32.73.01", "is_default": "yes"},
    )
    assert r.status_code == 303 and "reseller=r1" in r.headers["location"]
    r = ops.post(
        "/reseller-addresses/new",
        data={"reseller": "r1", "label": "Gudang", "region": "35.78", "is_default": "yes"},
    )
    with hub.app.state.hub.session_factory() as s:
        defaults = s.scalars(
            select(ResellerAddress.label).where(
                ResellerAddress.reseller_id == "r1", ResellerAddress.is_default.is_(True)
            )
        ).all()
    assert defaults == ["Gudang"]  # one default per reseller
    assert "Toko utama" in ops.get("/reseller-addresses?reseller=r1").text
    assert "Toko utama" not in ops.get("/reseller-addresses?reseller=r2").text
