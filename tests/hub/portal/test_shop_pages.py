"""The shop through its pages (TestClient, signed-in reseller): search, product page with my
price and why, two variants into the cart, checkout with address and courier, down payment."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from hub.core.roles import Role
from hub.orders.models import Order
from tests.hub.portal.shopkit import build_shop
from tests.hub.web.webkit import Seeded, seed


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path)


def test_search_price_why_cart_checkout(hub: Seeded) -> None:
    ids = build_shop(hub.app.state.hub.session_factory)
    c = hub.client(Role.RESELLER)
    page = c.get("/portal/catalog", params={"q": "kaos merah"})
    assert page.status_code == 200 and f'id="product-{ids["model"]}"' in page.text
    assert "Topi" not in page.text
    assert "Rp 108.000" in page.text  # from: the red one at 10 % off 120.000

    page = c.get(f"/portal/catalog/{ids['model']}")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "Promosi “Merah Merdeka”" in text or "Merah Merdeka" in text
    assert "Grosir 2026" in text and "Rp 111.000" in text  # the break from 10 units
    assert "Katun combed 30s" in text

    r = c.post(
        f"/portal/catalog/{ids['model']}/cart",
        data={f"qty-{ids['red']}": "2", f"qty-{ids['blue']}": "abc"},
    )
    assert r.status_code == 422 and "abc" in r.text  # what was typed is kept
    r = c.post(
        f"/portal/catalog/{ids['model']}/cart",
        data={f"qty-{ids['red']}": "2", f"qty-{ids['blue']}": "10"},
    )
    assert r.status_code == 303
    cart = c.get("/portal/cart").text
    assert "Warna: Merah" in cart and "Warna: Biru" in cart

    page = c.get("/portal/checkout").text
    assert "JNE REG" in page and "TIKI ONS" in page
    assert re.search(r'value="JNE\|REG"\s+checked', page)  # cheapest preselected
    addr = re.search(r'name="address_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/portal/checkout",
        data={"address_id": addr, "shipping": "TIKI|ONS", "note": "Kirim pagi"},
    )
    assert r.status_code == 303, r.text
    oid = int(re.search(r"/portal/orders/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    with hub.app.state.hub.session_factory() as s:
        o = s.get(Order, oid)
        assert o is not None and o.state == "awaiting_payment"
        assert (o.shipping_courier, o.shipping_service, o.note) == ("TIKI", "ONS", "Kirim pagi")
        assert o.ship_to_name == "Budi Santoso" and "Kota Semarang" in o.ship_to_address
        assert {ln.options for ln in o.lines} == {"Warna: Merah", "Warna: Biru"}
        assert o.subtotal == Decimal(2 * 108000 + 10 * 111000)
        assert o.down_payment == (o.total / 10).quantize(Decimal(1))
    assert "Keranjang Anda kosong" in c.get("/portal/cart").text  # the cart became the order
