"""The address book from the reseller's seat: a reseller with no address adds one (the region
found from its postal code), a second one made the default, bad input re-rendered with what was
typed, another reseller's address out of reach, the checkout preselecting the default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.audit.models import AuditEntry
from hub.core.db import transaction
from hub.core.roles import Role
from hub.shipping.models import PostalCode, Region, ResellerAddress
from tests.hub.portal.shopkit import build_shop
from tests.hub.web.webkit import Seeded, seed


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    h = seed(tmp_path)
    build_shop(h.app.state.hub.session_factory)  # regions, and an address of r1's
    with transaction(h.app.state.hub.session_factory) as s:
        s.add(Region(kode="33.74.01", name="Semarang Tengah", name_norm="semarang tengah",
                     level=3, parent_kode="33.74"))  # fmt: skip
        s.add(PostalCode(region_kode="33.74.01.1001", postal_code="50132"))
    return h


def _book(hub: Seeded, reseller: str) -> list[ResellerAddress]:
    with hub.app.state.hub.session_factory() as s:
        rows = list(
            s.query(ResellerAddress).filter_by(reseller_id=reseller).order_by(ResellerAddress.id)
        )
        s.expunge_all()
        return rows


ADDRESS = {
    "label": "Toko Pusat",
    "recipient": "Siti Rahayu",
    "phone": "0812 1111 2222",
    "street": "Jl. Pandanaran 12",
    "postal_code": "50132",
}


def test_add_default_remove_and_checkout(hub: Seeded) -> None:
    c = hub.client(Role.RESELLER, "r2")
    page = c.get("/portal/addresses")
    assert page.status_code == 200 and "Anda belum punya alamat pengiriman" in page.text

    r = c.post("/portal/addresses", data={**ADDRESS, "phone": " "})
    assert r.status_code == 422 and "isi penerima, telepon, jalan, dan kode pos" in r.text
    assert "Jl. Pandanaran 12" in r.text  # what was typed stays
    r = c.post("/portal/addresses", data={**ADDRESS, "postal_code": "99999"})
    assert r.status_code == 422 and "tidak ada wilayah dengan kode pos 99999" in r.text
    assert _book(hub, "r2") == []

    r = c.post("/portal/addresses", data=ADDRESS)
    assert r.status_code == 200 and "Alamat ditambahkan" in r.text
    assert "Semarang Tengah, Kota Semarang, Jawa Tengah" in r.text  # the region, from 50132
    first = _book(hub, "r2")[0]
    assert first.is_default and first.region_kode == "33.74.01"  # the first one is the default
    with hub.app.state.hub.session_factory() as s:  # one audit row, by the reseller's user
        rows = s.query(AuditEntry).filter_by(entity="reseller_address", entity_id=str(first.id))
        assert [(r.action, r.actor) for r in rows] == [("reseller_address.create", "reseller-r2")]

    r = c.post(
        "/portal/addresses?back=checkout",
        data={**ADDRESS, "label": "Gudang", "street": "Jl. Kaligawe 3", "region": "33.74"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/portal/checkout"
    second = _book(hub, "r2")[1]
    assert not second.is_default and second.region_kode == "33.74"

    assert (
        hub.client(Role.RESELLER).post(f"/portal/addresses/{second.id}/default").status_code == 404
    )
    assert hub.client(Role.RESELLER).post(f"/portal/addresses/{first.id}/remove").status_code == 404
    r = c.post(f"/portal/addresses/{second.id}/default")
    assert r.status_code == 200 and "Alamat utama diganti" in r.text
    assert [a.is_default for a in _book(hub, "r2")] == [False, True]

    r = c.post(f"/portal/addresses/{second.id}/remove")
    assert r.status_code == 200 and "Alamat dihapus" in r.text
    left = _book(hub, "r2")
    assert [a.id for a in left] == [first.id] and left[0].is_default  # the default passed on
    assert len(_book(hub, "r1")) == 1  # r1's book untouched


def test_checkout_preselects_the_default(hub: Seeded) -> None:
    c = hub.client(Role.RESELLER)
    c.post("/portal/addresses", data={**ADDRESS, "is_default": "1"})
    book = _book(hub, "r1")
    assert [a.is_default for a in book] == [False, True]
    page = c.get("/portal/catalog").text
    model = re.search(r'href="/portal/catalog/(\d+)"', page).group(1)  # type: ignore[union-attr]
    product = c.get(f"/portal/catalog/{model}").text
    qty = re.search(r'name="(qty-\d+)"', product).group(1)  # type: ignore[union-attr]
    assert c.post(f"/portal/catalog/{model}/cart", data={qty: "1"}).status_code == 303
    page = c.get("/portal/checkout").text
    assert re.search(rf'name="address_id" value="{book[1].id}"', page)
    assert "Jl. Pandanaran 12" in page
