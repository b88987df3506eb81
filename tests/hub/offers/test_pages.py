"""Offer pages: staff review (filters, bulk htmx approve/drop, quantity edit, publish, conversion) and the portal."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.db import transaction
from hub.core.roles import Role
from hub.core.security import LANG_COOKIE
from hub.inventory import service as stock
from hub.offers import service
from hub.offers.models import Offer, SalesDaily, StockFact
from hub.offers.pages import bar_chart
from tests.hub.web.webkit import XSS, Seeded, seed

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
HTMX = {"HX-Request": "true"}


def seed_offers(app: FastAPI) -> dict[str, int]:
    """Two products (B named like a script tag) priced for everyone, hub stock, and one draft offer per reseller.

    r1 sold 56 A in the window with 4 in stock (2/day → 2 days of cover): 60 A (packs of 10) at 90.00.
    r2 sold 28 B with none in stock: 30 B at 45.00.
    """
    at = dt.datetime.now(dt.timezone.utc)
    with transaction(app.state.hub.session_factory) as s:
        a = Product(
            sku="A",
            name="Alpha router",
            list_price=Decimal("100"),
            pack_size=10,
            weight_kg=Decimal("0.5"),
        )
        b = Product(
            sku="B", name=XSS, list_price=Decimal("50"), pack_size=1, weight_kg=Decimal("0.2")
        )
        s.add_all([a, b])
        s.flush()
        pl = PriceList(name="general")
        s.add(pl)
        s.flush()
        s.add_all(
            [
                PriceListItem(
                    price_list_id=pl.id, product_id=a.id, min_quantity=1, unit_price=Decimal("90")
                ),
                PriceListItem(
                    price_list_id=pl.id, product_id=a.id, min_quantity=100, unit_price=Decimal("80")
                ),
                PriceListItem(
                    price_list_id=pl.id, product_id=b.id, min_quantity=1, unit_price=Decimal("45")
                ),
            ]
        )
        for rid, pid, sold, on_hand in (("r1", a.id, 56, 4), ("r2", b.id, 28, 0)):
            s.add(
                SalesDaily(
                    reseller_id=rid,
                    product_id=pid,
                    day=at.date() - dt.timedelta(days=10),
                    quantity=sold,
                )
            )
            s.add(StockFact(reseller_id=rid, product_id=pid, on_hand=on_hand))
        stock.receive(s, a.id, 1000, reference="seed")
        stock.receive(s, b.id, 1000, reference="seed")
        s.flush()
        assert service.compute(s, at=at).offers["replenishment"] == 2
        ids = {o.reseller_id: o.id for o in s.scalars(select(Offer))}
    return {"a": a.id, "b": b.id, "r1": ids["r1"], "r2": ids["r2"]}


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    app = seed(tmp_path)
    app.offers = seed_offers(app.app)  # type: ignore[attr-defined]
    return app


def status_of(hub: Seeded, offer_id: int) -> str:
    with hub.app.state.hub.session_factory() as s:
        return s.get(Offer, offer_id).status


def test_review_page_shows_numbers_reason_price_and_filters(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    html = owner.get("/offers").text
    assert XSS not in html and ESCAPED in html  # the product name, inside the reason too
    # the reason and the price's rule in the reader's language, numbers in its locale
    assert "Anda menjual 56 Alpha router dalam 28 hari terakhir (2,0/hari)" in html
    assert "stok 4 cukup untuk 2,0 hari" in html and "You sold" not in html
    assert "Terjual per hari" in html and "Rp 90" in html and "Rp 5.400" in html  # 60 × 90
    assert "daftar harga umum &#39;general&#39;" in html and "price list" not in html
    only_r1 = owner.get("/offers", params={"reseller_id": "r1"}).text
    assert (
        f'id="offer-{hub.offers["r1"]}"' in only_r1
        and f'id="offer-{hub.offers["r2"]}"' not in only_r1
    )  # type: ignore[attr-defined]
    assert "Tidak ada penawaran yang cocok." in owner.get("/offers", params={"kind": "range"}).text
    assert owner.get("/offers", params={"status": "bogus"}).status_code == 422
    owner.cookies.set(LANG_COOKIE, "en")
    english = owner.get("/offers").text
    assert "Sold per day" in english and "Terjual per hari" not in english and "Rp 5,400" in english
    assert "You sold 56 of Alpha router in the last 28 days (2.0/day)" in english
    assert "the general price list &#39;general&#39;" in english


def test_bulk_approve_with_htmx_then_publish_and_reseller_portal(hub: Seeded) -> None:
    ids = hub.offers  # type: ignore[attr-defined]
    ops = hub.client(Role.OPERATIONS)
    r = ops.post(
        "/offers/decide", data={"ids": [ids["r1"], ids["r2"]], "action": "approve"}, headers=HTMX
    )
    assert r.status_code == 200 and "<html" not in r.text and 'id="offers-table"' in r.text
    assert "2 penawaran disetujui." in r.text
    assert status_of(hub, ids["r1"]) == status_of(hub, ids["r2"]) == "approved"
    assert (
        hub.client(Role.RESELLER, "r1").get("/portal/offers").text.count('class="order"') == 0
    )  # not yet published
    published = ops.post("/offers/publish")
    assert published.status_code == 200 and "r1, r2" in published.text
    assert status_of(hub, ids["r1"]) == "published"
    outbox = hub.app.state.hub.settings.sftp_root / "r1" / "outbox"
    assert len(list(outbox.glob("offers-*.json"))) == 1

    mine = hub.client(Role.RESELLER, "r1").get("/portal/offers")
    assert mine.status_code == 200
    body = mine.text.split("<main>")[1]
    assert (
        "Alpha router" in body
        and ESCAPED not in body
        and f"/portal/offers/{ids['r1']}/order" in body
    )
    assert "Anda menjual 56" in body and "Rp 90" in body
    theirs = hub.client(Role.RESELLER_ADMIN, "r2").get("/portal/offers").text.split("<main>")[1]
    assert "Alpha router" not in theirs and ESCAPED in theirs and XSS not in theirs


def test_order_this_offer_goes_through_orders_and_counts_as_conversion(hub: Seeded) -> None:
    ids = hub.offers  # type: ignore[attr-defined]
    ops = hub.client(Role.OPERATIONS)
    ops.post("/offers/decide", data={"ids": [ids["r1"], ids["r2"]], "action": "approve"})
    ops.post("/offers/publish")
    r2 = hub.client(Role.RESELLER, "r2")
    assert (
        r2.post(f"/portal/offers/{ids['r1']}/order").status_code == 404
    )  # another reseller's offer
    assert status_of(hub, ids["r1"]) == "published"
    r1 = hub.client(Role.RESELLER, "r1")
    placed = r1.post(f"/portal/offers/{ids['r1']}/order")
    assert placed.status_code == 200, placed.text
    assert re.search(r"Pesanan #\d+ dibuat", placed.text), placed.text
    assert status_of(hub, ids["r1"]) == "accepted"
    assert 'class="order"' not in placed.text.split(f'id="offer-{ids["r1"]}"')[1].split("</tr>")[0]
    again = r1.post(f"/portal/offers/{ids['r1']}/order")
    assert again.status_code == 409 and "sudah diterima oleh pesanan" in again.text
    with hub.app.state.hub.session_factory() as s:
        from hub.orders.models import Order

        assert s.scalars(select(Order).where(Order.offer_id == ids["r1"])).one().source == "offer"
    conv = ops.get("/offers/conversion")
    assert conv.status_code == 200 and "<svg" in conv.text
    assert re.search(
        r"<td>r1</td><td>[^<]+</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">100",
        conv.text,
    )
    assert re.search(
        r"<td>r2</td><td>[^<]+</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0",
        conv.text,
    )


def test_partial_order_any_quantity_up_to_the_offer(hub: Seeded) -> None:
    ids = hub.offers  # type: ignore[attr-defined]
    ops = hub.client(Role.OPERATIONS)
    ops.post("/offers/decide", data={"ids": [ids["r1"]], "action": "approve"})
    ops.post("/offers/publish")
    from hub.offers.models import Offer
    from hub.orders.models import Order

    with hub.app.state.hub.session_factory() as s:
        offered = s.get_one(Offer, ids["r1"]).quantity
    assert offered >= 2
    r1 = hub.client(Role.RESELLER, "r1")
    page = r1.get("/portal/offers").text
    assert f'name="quantity" value="{offered}"' in page  # the whole offer proposed
    too_many = r1.post(f"/portal/offers/{ids['r1']}/order", data={"quantity": str(offered + 1)})
    assert too_many.status_code == 409 and f"pesan 1 sampai {offered}" in too_many.text
    assert status_of(hub, ids["r1"]) == "published"  # nothing happened
    part = r1.post(f"/portal/offers/{ids['r1']}/order", data={"quantity": str(offered - 1)})
    assert part.status_code == 200, part.text
    with hub.app.state.hub.session_factory() as s:
        order = s.scalars(select(Order).where(Order.offer_id == ids["r1"])).one()
        assert [ln.quantity for ln in order.lines] == [offered - 1]


def test_bulk_decision_is_all_or_nothing_and_needs_csrf(hub: Seeded) -> None:
    ids = hub.offers  # type: ignore[attr-defined]
    ops = hub.client(Role.OPERATIONS)
    assert (
        ops.post("/offers/decide", data={"ids": [ids["r1"]], "action": "drop"}).status_code == 200
    )
    mixed = ops.post("/offers/decide", data={"ids": [ids["r1"], ids["r2"]], "action": "approve"})
    assert mixed.status_code == 409 and "tidak ada yang diubah" in mixed.text
    assert status_of(hub, ids["r2"]) == "draft" and status_of(hub, ids["r1"]) == "dropped"
    assert ops.post("/offers/decide", data={"ids": [2**40], "action": "drop"}).status_code == 409
    in_fragment = ops.post("/offers/decide", data={"action": "approve"}, headers=HTMX)
    assert in_fragment.status_code == 200 and 'id="offers-error"' in in_fragment.text
    forged = hub.client(Role.OPERATIONS)
    forged.headers.pop("X-CSRF-Token")
    assert (
        forged.post(
            "/offers/decide", data={"ids": [ids["r2"]], "action": "drop", "csrf_token": "x"}
        ).status_code
        == 403
    )
    assert status_of(hub, ids["r2"]) == "draft"
    page = ops.get("/offers").text
    assert 'name="csrf_token"' in page and 'hx-post="/offers/decide"' in page


def test_edit_quantity_reprices_the_draft(hub: Seeded) -> None:
    ids = hub.offers  # type: ignore[attr-defined]
    ops = hub.client(Role.OPERATIONS)
    row = ops.post(f"/offers/{ids['r1']}/quantity", data={"quantity": "100"}, headers=HTMX)
    assert row.status_code == 200 and row.text.startswith(f'<tr id="offer-{ids["r1"]}"')
    assert "harga grosir mulai 100 unit: Rp 80" in row.text and 'value="100"' in row.text
    with hub.app.state.hub.session_factory() as s:
        o = s.get(Offer, ids["r1"])
        assert (o.quantity, o.unit_price) == (100, Decimal("80.00"))
    bad = ops.post(f"/offers/{ids['r1']}/quantity", data={"quantity": "abc"}, headers=HTMX)
    assert bad.status_code == 200 and "bukan bilangan bulat" in bad.text
    assert ops.post(f"/offers/{ids['r1']}/quantity", data={"quantity": "0"}).status_code == 409
    assert ops.post("/offers/999999/quantity", data={"quantity": "5"}).status_code == 404
    assert ops.post(f"/offers/{ids['r1']}/quantity", data={"quantity": "50"}).status_code == 303


def test_roles_and_read_only_marketing(hub: Seeded) -> None:
    marketing = hub.client(Role.MARKETING)
    page = marketing.get("/offers")
    assert (
        page.status_code == 200
        and 'name="ids"' not in page.text
        and 'id="publish"' not in page.text
    )
    assert marketing.get("/offers/conversion").status_code == 200
    assert (
        marketing.post(
            "/offers/decide", data={"ids": [hub.offers["r1"]], "action": "approve"}
        ).status_code
        == 403
    )  # type: ignore[attr-defined]
    assert marketing.post("/offers/publish").status_code == 403
    assert hub.client(Role.RESELLER).get("/offers").status_code == 403
    assert hub.client(Role.OWNER).get("/portal/offers").status_code == 403
    assert hub.client(Role.FINANCE).get("/offers").status_code == 403
    drafts = hub.client(Role.RESELLER, "r1").get("/portal/offers").text
    assert "Belum ada penawaran untuk Anda saat ini." in drafts  # drafts are not shown


def test_bar_chart_scales_rates_to_a_fixed_percent_axis() -> None:
    chart = bar_chart(
        [("a", Decimal("0.5"), "1/2"), ("b", Decimal("1.5"), "3/2"), ("c", Decimal("-1"), "")],
        plot_width=200,
        bar=10,
        gap=5,
    )
    assert [b.width for b in chart.bars] == [100.0, 200.0, 0.0]  # clamped to 0..100 %
    assert [b.y for b in chart.bars] == [5, 20, 35] and chart.height == 50
    assert bar_chart([]).bars == [] and bar_chart([]).height > 0
