"""The shipping calculator page on a hub with the real region data, a warehouse and rate cards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.core.db import transaction
from hub.core.roles import Role
from hub.core.security import LANG_COOKIE
from hub.shipping import ratecards
from hub.shipping.cache import forget_cached
from hub.shipping.regionimport import import_regions
from hub.shipping.service import add_warehouse
from tests.hub.shipping.helpers import GOOD
from tests.hub.web.webkit import XSS, Seeded, seed

ITEM = {
    "weight": "1.30",
    "length": "10",
    "width": "10",
    "height": "10",
    "quantity": "1",
    "value": "250000",
}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    forget_cached()
    h = seed(Path(tmp_path_factory.mktemp("shipping-pages")))
    with h.app.state.hub.engine.begin() as conn:
        import_regions(conn)
    with transaction(h.app.state.hub.session_factory) as s:
        ratecards.apply(s, ratecards.validate(s, ratecards.read_rows(GOOD.encode(), "c.csv")))
        add_warehouse(s, "BDG-1", "Gudang Bandung", "32.73.01")
    forget_cached()
    yield h
    forget_cached()


def test_quote_lists_every_option_with_weight_and_etd(hub: Seeded) -> None:
    c = hub.client(Role.RESELLER)
    c.cookies.set(LANG_COOKIE, "en")
    r = c.get("/shipping/calculator", params={"origin": "BDG-1", "destination": "35.78.01", **ITEM})
    assert r.status_code == 200, r.text
    options = r.text.split('id="options"')[1].split("</table>")[0]
    assert (
        options.count('class="option"') == 5 and "Rp 12,500" in options
    )  # JNE REG to the district
    assert "billed 1 kg" in options and "2–3" in options
    fees = [int(f.replace(",", "")) for f in re.findall(r'class="num">Rp ([\d,]+)</td>', options)]
    assert fees == sorted(fees)
    fast = c.get(
        "/shipping/calculator",
        params={"origin": "BDG-1", "destination": "35.78.01", "sort": "speed", **ITEM},
    ).text.split('id="options"')[1]
    assert fast.index("YES") < fast.index("JTR")


def test_staff_may_use_it_and_bad_input_is_explained(hub: Seeded) -> None:
    c = hub.client(Role.MARKETING)
    c.cookies.set(LANG_COOKIE, "en")
    assert 'value="BDG-1"' in c.get("/shipping/calculator").text
    bad = c.get(
        "/shipping/calculator",
        params={"origin": "BDG-1", "destination": "35.78.01", **ITEM, "weight": "heavy"},
    )
    assert bad.status_code == 422 and "item 1: weight" in bad.text
    nowhere = c.get("/shipping/calculator", params={"origin": "BDG-1", **ITEM})
    assert nowhere.status_code == 422 and "pick a destination region" in nowhere.text
    province = c.get(
        "/shipping/calculator", params={"origin": "BDG-1", "destination": "35", **ITEM}
    )
    assert province.status_code == 422 and "is a province" in province.text
    xss = c.get("/shipping/calculator", params={"origin": XSS, "destination": "35.78.01", **ITEM})
    assert xss.status_code == 422 and XSS not in xss.text
    assert hub.client(None).get("/shipping/calculator").status_code == 303  # sign in first


def test_region_search_by_name_or_postal_code(hub: Seeded) -> None:
    c = hub.client(Role.RESELLER)
    by_name = c.get(
        "/shipping/calculator/regions", params={"q": "surabaya"}, headers={"HX-Request": "true"}
    )
    assert (
        by_name.status_code == 200
        and 'data-kode="35.78"' in by_name.text
        and "<html" not in by_name.text
    )
    by_postal = c.get("/shipping/calculator/regions", params={"q": "40111"}).text
    assert by_postal.count('class="region"') >= 1 and 'data-kode="32.73.' in by_postal
    assert 'class="region"' not in c.get("/shipping/calculator/regions", params={"q": "zz"}).text
