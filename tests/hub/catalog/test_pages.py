"""Catalog pages: product list/detail, import preview → confirm, match review — escaped, CSRF-checked, role-gated."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from hub.audit.models import AuditEntry
from hub.catalog import matching
from hub.catalog.models import (
    MatchSuggestion,
    PriceList,
    PriceListItem,
    Product,
    Promotion,
    SkuLink,
)
from hub.core.db import transaction
from hub.core.roles import Role
from tests.hub.web.webkit import XSS, Seeded, seed

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
UTC = dt.timezone.utc


def seed_catalog(app: FastAPI) -> dict[str, int]:
    """Products (one named like a script tag), a general and an r1 price list, a promotion, r1's SKUs matched."""
    with transaction(app.state.hub.session_factory) as s:
        lap = Product(
            sku="LAP-14",
            name="Laptop Pro 14",
            brand="Acme",
            category="laptop",
            specs={"ram": "16 GB", "cpu": XSS},
            options={"colour": ["silver", "black"]},
            list_price=Decimal("12500000"),
            pack_size=1,
            weight_kg=Decimal("1.450"),
        )
        xss = Product(
            sku="XSS-1",
            name=XSS,
            brand="Evil",
            category="cable",
            list_price=Decimal("15000"),
            pack_size=10,
        )
        old = Product(
            sku="OLD-1",
            name="Old modem",
            list_price=Decimal("100000"),
            active=False,
            discontinued=True,
        )
        s.add_all([lap, xss, old])
        s.flush()
        general, own = (
            PriceList(name="general"),
            PriceList(name=f"r1 special {XSS}", reseller_id="r1"),
        )
        s.add_all([general, own])
        s.flush()
        s.add_all(
            [
                PriceListItem(
                    price_list_id=general.id,
                    product_id=lap.id,
                    min_quantity=1,
                    unit_price=Decimal("12000000"),
                ),
                PriceListItem(
                    price_list_id=own.id,
                    product_id=lap.id,
                    min_quantity=1,
                    unit_price=Decimal("11800000"),
                ),
                PriceListItem(
                    price_list_id=own.id,
                    product_id=lap.id,
                    min_quantity=10,
                    unit_price=Decimal("11500000"),
                ),
                PriceListItem(
                    price_list_id=general.id,
                    product_id=xss.id,
                    min_quantity=1,
                    unit_price=Decimal("14000"),
                ),
            ]
        )
        now = dt.datetime.now(UTC)
        s.add(
            Promotion(
                name="Lebaran",
                product_id=xss.id,
                percent_off=Decimal("10"),
                valid_from=now - dt.timedelta(days=1),
                valid_to=now + dt.timedelta(days=6),
            )
        )
        matching.match_products(
            s,
            "r1",
            [
                {"sku": "LAP-14", "name": "laptop"},  # exact SKU: linked
                {"sku": "r1-lp14", "name": "Laptop Pro 14 inch Acme"},  # fuzzy: suggested
                {"sku": "r1-zz", "name": "qqqq wwww"},
            ],
        )  # nothing close: unmatched
        return {"lap": lap.id, "xss": xss.id, "old": old.id}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    app = seed(Path(tmp_path_factory.mktemp("catalog-pages")))
    app.products = seed_catalog(app.app)  # type: ignore[attr-defined]
    return app


@pytest.fixture
def fresh_hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path)


def test_product_list_searches_pages_and_escapes(hub: Seeded) -> None:
    ops = hub.client(Role.OPERATIONS)
    r = ops.get("/catalog")
    assert r.status_code == 200
    assert "Laptop Pro 14" in r.text and "Old modem" in r.text  # staff see inactive products too
    assert XSS not in r.text and ESCAPED in r.text
    assert "Rp 12.500.000" in r.text  # Indonesian money format
    found = ops.get("/catalog", params={"q": "acme laptop"}).text
    assert "Laptop Pro 14" in found and "Old modem" not in found and "XSS-1" not in found
    assert ops.get("/catalog", params={"q": "LAP", "page": 2}).status_code == 200
    assert (
        "Laptop Pro 14" not in ops.get("/catalog", params={"q": "LAP", "page": 2}).text
    )  # one page of one
    assert ops.get("/catalog", params={"page": 0}).status_code == 422


def test_product_detail_shows_specs_variants_price_lists_and_why(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    lap = hub.products["lap"]  # type: ignore[attr-defined]
    html = owner.get(f"/catalog/products/{lap}").text
    assert "16 GB" in html and "silver, black" in html and "general" in html
    assert XSS not in html and ESCAPED in html  # a spec value and a price-list name
    assert "Rp 11.500.000" in html and "Rp 11.800.000" in html
    why = owner.get(f"/catalog/products/{lap}", params={"reseller_id": "r1", "quantity": 10}).text
    # why, in the reader's language (Indonesian by default), amounts as rupiah
    assert (
        "daftar harga reseller sendiri" in why
        and "harga grosir mulai 10 unit: Rp 11.500.000" in why
    )
    assert "Rp 115.000.000" in why  # 10 × 11.500.000
    general = owner.get(
        f"/catalog/products/{lap}", params={"reseller_id": "r2", "quantity": 1}
    ).text
    assert "daftar harga umum" in general and "Rp 12.000.000" in general
    promo = owner.get(f"/catalog/products/{hub.products['xss']}", params={"reseller_id": "r2"}).text  # type: ignore[attr-defined]
    assert "Lebaran" in promo and "Rp 12.600" in promo and XSS not in promo
    assert "promosi &#39;Lebaran" in promo and "menggantikan daftar harga" in promo
    unpriced = owner.get(
        f"/catalog/products/{hub.products['old']}", params={"reseller_id": "r1"}
    ).text  # type: ignore[attr-defined]
    assert "tidak aktif" in unpriced and 'role="alert"' in unpriced
    assert owner.get("/catalog/products/999999").status_code == 404


def test_roles(hub: Seeded) -> None:
    marketing = hub.client(Role.MARKETING)
    assert marketing.get("/catalog").status_code == 200
    assert "/catalog/import" not in marketing.get("/catalog").text  # read-only: no import link
    assert marketing.get("/catalog/import").status_code == 403
    assert marketing.get("/catalog/matching").status_code == 403
    assert hub.client(Role.RESELLER).get("/catalog").status_code == 403
    assert (
        hub.client(Role.FINANCE).get(f"/catalog/products/{hub.products['lap']}").status_code == 403
    )  # type: ignore[attr-defined]


GOOD = 'sku,name,list_price,specs\nNEW-1,Mouse,75000,\nLAP-14,Laptop Pro 14,12500000,"{""ram"": ""32 GB""}"\n'
BAD = "sku,name,list_price\nBAD-1,Keyboard,abc\n,No sku,10\nBAD-2,Fine,10\n"


def _upload_id(html: str) -> str:
    return re.search(r'action="/catalog/import/([0-9a-f]{32})/apply"', html).group(1)  # type: ignore[union-attr]


def test_import_preview_reports_row_errors_and_writes_nothing(fresh_hub: Seeded) -> None:
    seed_catalog(fresh_hub.app)
    ops = fresh_hub.client(Role.OPERATIONS)
    r = ops.post("/catalog/import", files={"file": ("cat.csv", BAD.encode(), "text/csv")})
    assert r.status_code == 200 and 'id="row-errors"' in r.text
    rows = re.findall(r'<td class="num">(\d+)</td><td>(\w+)</td>', r.text)
    assert ("2", "list_price") in rows and ("3", "sku") in rows
    assert 'id="confirm"' not in r.text  # a file with problems cannot be confirmed
    with fresh_hub.app.state.hub.session_factory() as s:
        assert s.scalar(select(Product).where(Product.sku == "BAD-2")) is None
    bad_header = ops.post("/catalog/import", files={"file": ("cat.csv", b"name\nx\n", "text/csv")})
    assert bad_header.status_code == 422 and "tidak memuat kolom sku, list_price" in bad_header.text
    assert (
        ops.post("/catalog/import", files={"file": ("cat.txt", b"sku\n", "text/plain")}).status_code
        == 422
    )
    assert ops.post("/catalog/import").status_code == 422


def test_import_preview_then_confirm_applies_and_audits(fresh_hub: Seeded) -> None:
    seed_catalog(fresh_hub.app)
    ops = fresh_hub.client(Role.OPERATIONS)
    preview = ops.post("/catalog/import", files={"file": (f"{XSS}.csv", GOOD.encode(), "text/csv")})
    assert preview.status_code == 200 and XSS not in preview.text
    assert "NEW-1" in preview.text and 'id="confirm"' in preview.text
    upload = _upload_id(preview.text)
    with fresh_hub.app.state.hub.session_factory() as s:
        assert (
            s.scalar(select(Product).where(Product.sku == "NEW-1")) is None
        )  # preview wrote nothing
    forged = fresh_hub.client(Role.OPERATIONS)
    forged.headers.pop("X-CSRF-Token")
    assert (
        forged.post(f"/catalog/import/{upload}/apply", data={"csrf_token": "forged"}).status_code
        == 403
    )
    done = ops.post(f"/catalog/import/{upload}/apply", data={"name": "cat.csv"})
    assert done.status_code == 200 and 'id="import-done"' in done.text
    with fresh_hub.app.state.hub.session_factory() as s:
        assert s.scalar(select(Product.list_price).where(Product.sku == "NEW-1")) == Decimal(
            "75000"
        )
        assert s.scalar(select(Product.specs).where(Product.sku == "LAP-14")) == {"ram": "32 GB"}
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "catalog.import")).one()
        assert entry.after["created"] == 1 and entry.after["updated"] == 1
    assert ops.post(f"/catalog/import/{upload}/apply").status_code == 404  # used up
    assert ops.post("/catalog/import/not-an-id/apply").status_code == 404


def test_match_review_accept_reject_and_manual_link(fresh_hub: Seeded) -> None:
    ids = seed_catalog(fresh_hub.app)
    ops = fresh_hub.client(Role.OPERATIONS)
    page = ops.get("/catalog/matching", params={"reseller_id": "r1"})
    assert page.status_code == 200 and "r1-lp14" in page.text and "r1-zz" in page.text
    with fresh_hub.app.state.hub.session_factory() as s:
        pending = s.scalars(
            select(MatchSuggestion).where(MatchSuggestion.reseller_sku == "r1-lp14")
        ).all()
        best = max(pending, key=lambda x: x.score)
        assert best.product_id == ids["lap"] and f"{best.score:.1f}".replace(".", ",") in page.text
    htmx = {"HX-Request": "true"}
    r = ops.post(
        f"/catalog/matching/{best.id}/accept", data={"filter_reseller": "r1"}, headers=htmx
    )
    assert r.status_code == 200 and "<html" not in r.text and 'id="matching"' in r.text
    assert f"suggestion-{best.id}" not in r.text
    again = ops.post(f"/catalog/matching/{best.id}/reject", headers=htmx)
    assert "sudah accepted" in again.text  # shown inside the fragment, in the page's language
    assert ops.post(f"/catalog/matching/{best.id}/reject").status_code == 409
    assert ops.post(f"/catalog/matching/{best.id}/maybe").status_code == 422
    wrong = ops.post(
        "/catalog/matching/link",
        data={"reseller_id": "r1", "reseller_sku": "r1-zz", "product": "NOPE"},
    )
    assert wrong.status_code == 422 and "tidak ada produk dengan SKU" in wrong.text
    ok = ops.post(
        "/catalog/matching/link",
        data={"reseller_id": "r1", "reseller_sku": "r1-zz", "product": "XSS-1"},
        headers=htmx,
    )
    assert ok.status_code == 200 and XSS not in ok.text
    with fresh_hub.app.state.hub.session_factory() as s:
        assert s.get(SkuLink, ("r1", "r1-lp14")).method == "accepted"
        link = s.get(SkuLink, ("r1", "r1-zz"))
        assert (
            link.product_id == ids["xss"]
            and link.method == "manual"
            and link.decided_by == "operations"
        )
    assert "Semua produk reseller sudah tertaut." in ops.get("/catalog/matching").text
