"""Groups, price lists with quantity breaks and promotions, made from the pages as staff would.

Each test starts from a hub whose catalog was imported (no price list, no group), creates
the master data through the forms, files or API, and checks what a person would: the
price an order gets, the page showing the problem next to the field, the audit trail.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from hub.audit.models import AuditEntry
from hub.catalog.models import PriceList, Product, Promotion, ResellerGroupMember
from hub.catalog.pricing import price_for
from hub.core.db import utcnow
from hub.core.i18n import DISPLAY_TZ
from hub.core.roles import Role
from tests.hub.catalog.conftest import CATALOG_CSV
from tests.hub.web.webkit import XSS, Seeded, audit_count, english, seed

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    hub = seed(tmp_path)
    owner = hub.client(Role.OWNER)
    r = owner.post(
        "/api/v1/catalog/import?preview=false",
        files={"file": ("catalog.csv", CATALOG_CSV.read_bytes(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    return hub


def quote(hub: Seeded, reseller: str, sku: str, qty: int, at: dt.datetime | None = None):  # ANN201
    with hub.app.state.hub.session_factory() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == sku))
        return price_for(s, reseller, pid, qty, at or utcnow())


def test_a_price_list_made_on_the_pages_prices_orders_with_its_quantity_breaks(hub: Seeded) -> None:
    owner = english(hub)
    before = audit_count(hub)
    r = owner.post("/reseller-groups/new", data={"name": "Grosir Jawa", "description": XSS})
    assert r.status_code == 303
    listing = owner.get(r.headers["location"]).text
    assert "Saved: Grosir Jawa" in listing and ESCAPED in listing and XSS not in listing
    r = owner.post(
        "/price-lists/new", data={"name": "Grosir", "group": "Grosir Jawa", "reseller": ""}
    )
    assert r.status_code == 303
    lists = owner.get("/price-lists").text
    assert "/price-list-items?price_list=Grosir" in lists
    for qty, price in (("1", "170.000"), ("10", "150.000,50")):  # typed as shown in Indonesian
        r = hub.client(Role.OWNER).post(
            "/price-list-items/new",
            data={
                "price_list": "Grosir",
                "sku": "NW-0001",
                "min_quantity": qty,
                "unit_price": price,
            },
        )
        assert r.status_code == 303, r.text
    assert audit_count(hub) == before + 4  # one entry per change
    with hub.app.state.hub.session_factory() as s:
        s.add(ResellerGroupMember(group_id=1, reseller_id="r1"))
        s.commit()
    assert quote(hub, "r1", "NW-0001", 3).unit_price == Decimal("170000.00")
    ten = quote(hub, "r1", "NW-0001", 12)
    assert ten.unit_price == Decimal("150000.50") and ten.break_quantity == 10
    items = owner.get("/price-list-items?price_list=Grosir").text
    assert "150,000.50" in items and "NW-0001" in items


def test_a_form_with_mistakes_keeps_what_was_typed_and_names_each_problem(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)  # Indonesian
    owner.post("/price-lists/new", data={"name": "Umum"})
    r = owner.post(
        "/price-list-items/new",
        data={"price_list": "Umum", "sku": "NO-SUCH", "min_quantity": "0", "unit_price": "12,3,4"},
    )
    assert r.status_code == 422
    page = r.text
    assert 'id="error-unit_price"' in page and "bukan angka" in page
    assert (
        'id="error-min_quantity"' in page and 'value="12,3,4"' in page and 'value="NO-SUCH"' in page
    )
    r = owner.post(
        "/price-list-items/new",
        data={"price_list": "Umum", "sku": "NO-SUCH", "min_quantity": "1", "unit_price": "1.000"},
    )
    assert r.status_code == 422 and 'id="error-sku"' in r.text and "NO-SUCH" in r.text
    both = owner.post("/price-lists/new", data={"name": "X", "group": "", "reseller": "nobody"})
    assert both.status_code == 422 and 'id="error-reseller"' in both.text
    with hub.app.state.hub.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(PriceList)) == 1


def test_import_previews_every_change_then_applies_all_or_nothing(hub: Seeded) -> None:
    owner = english(hub)
    owner.post("/price-lists/new", data={"name": "Umum"})
    good = (
        "price_list,sku,min_quantity,unit_price\n"
        'Umum,NW-0001,1,175000\nUmum,NW-0001,24,160000.50\nUmum,NW-0002,1,"185.000,00"\n'
    )
    indonesian = hub.client(Role.OWNER)  # reads "185.000,00" as shown in Indonesian
    r = indonesian.post(
        "/price-list-items/import", files={"file": ("p.csv", good.encode(), "text/csv")}
    )
    assert r.status_code == 200 and 'id="confirm"' in r.text, r.text[-3000:]
    assert '<span id="n-created">3</span>' in r.text
    assert quote_or_none(hub, "NW-0002") is None  # the preview wrote nothing
    upload = r.text.split("/price-list-items/import/")[1].split("/apply")[0]
    before = audit_count(hub)
    done = indonesian.post(f"/price-list-items/import/{upload}/apply")
    assert done.status_code == 200 and 'id="import-done"' in done.text
    assert audit_count(hub) == before + 1
    assert quote(hub, "r1", "NW-0002", 1).unit_price == Decimal("185000.00")
    assert quote(hub, "r2", "NW-0001", 30).unit_price == Decimal("160000.50")
    # The export reads back unchanged, in both formats.
    for fmt in ("csv", "xlsx"):
        data = owner.get(f"/price-list-items/export?format={fmt}").content
        again = owner.post(
            "/price-list-items/import",
            files={"file": (f"x.{fmt}", data, "application/octet-stream")},
        )
        assert '<span id="n-unchanged">3</span>' in again.text, again.text
    sheet = load_workbook(io.BytesIO(owner.get("/price-list-items/export?format=xlsx").content))
    assert [c.value for c in sheet.active[1]] == ["price_list", "sku", "min_quantity", "unit_price"]
    bad = "price_list,sku,min_quantity,unit_price\nUmum,NW-0003,1,99\nUmum,NOPE,1,5\nNada,NW-0001,x,1\n"
    r = owner.post("/price-list-items/import", files={"file": ("b.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422 and 'id="confirm"' not in r.text
    for shown in ("no product with SKU NOPE", "unknown choice Nada", "is not a number"):
        assert shown in r.text
    assert quote_or_none(hub, "NW-0003") is None


def quote_or_none(hub: Seeded, sku: str):  # ANN201
    try:
        return quote(hub, "r1", sku, 1)
    except Exception:
        return None


def test_deactivated_price_list_stops_pricing_and_is_audited(hub: Seeded) -> None:
    owner = english(hub)
    api = hub.client(Role.OWNER)
    made = api.post("/api/v1/price-lists", json={"name": "Umum"}).json()
    item = api.post(
        "/api/v1/price-list-items",
        json={"price_list": "Umum", "sku": "NW-0001", "min_quantity": 1, "unit_price": "170000"},
    )
    assert item.status_code == 201, item.text
    assert quote(hub, "r1", "NW-0001", 1).unit_price == Decimal("170000.00")
    r = owner.post(f"/price-lists/{made['id']}/active", data={"active": "false"})
    assert r.status_code == 303
    assert quote_or_none(hub, "NW-0001") is None
    assert "Umum" not in owner.get("/price-lists").text.split('id="records"')[1]
    assert "Umum" in owner.get("/price-lists?status=inactive").text
    with hub.app.state.hub.session_factory() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last.action == "price_list.deactivate" and last.actor == "owner"
    patched = api.patch(f"/api/v1/price-list-items/{item.json()['id']}", json={"unit_price": 1})
    assert patched.status_code == 200 and Decimal(str(patched.json()["unit_price"])) == 1


def test_promotions_run_on_wib_days_and_one_of_percent_or_price(hub: Seeded) -> None:
    owner = english(hub)
    owner.post("/price-lists/new", data={"name": "Umum"})
    hub.client(Role.OWNER).post(
        "/api/v1/price-list-items",
        json={"price_list": "Umum", "sku": "NW-0001", "min_quantity": 1, "unit_price": "200000"},
    )
    both = owner.post(
        "/promotions/new",
        data={
            "name": "Desember",
            "sku": "NW-0001",
            "percent_off": "10",
            "fixed_price": "1000",
            "valid_from": "2026-12-01",
            "valid_until": "2026-11-30",
        },
    )
    assert both.status_code == 422
    assert 'id="error-percent_off"' in both.text and 'id="error-valid_until"' in both.text
    ok = hub.client(Role.MARKETING).post(
        "/promotions/new",
        data={
            "name": "Desember",
            "sku": "NW-0001",
            "percent_off": "10",
            "valid_from": "2026-12-01",
            "valid_until": "7/12/2026",
        },
    )
    assert ok.status_code == 303, ok.text
    start = dt.datetime(2026, 12, 1, tzinfo=DISPLAY_TZ)
    assert quote(hub, "r1", "NW-0001", 1, start - dt.timedelta(seconds=1)).promotion_id is None
    assert quote(hub, "r1", "NW-0001", 1, start).unit_price == Decimal("180000.00")
    last = dt.datetime(2026, 12, 7, 23, 59, tzinfo=DISPLAY_TZ)
    assert quote(hub, "r1", "NW-0001", 1, last).promotion_id is not None
    assert quote(hub, "r1", "NW-0001", 1, last + dt.timedelta(minutes=1)).promotion_id is None
    form = owner.get("/promotions/1").text
    assert 'value="2026-12-07"' in form  # shown back as the day typed


def test_a_birthday_rule_does_not_price_by_itself(hub: Seeded) -> None:
    api = hub.client(Role.OWNER)
    api.post("/api/v1/price-lists", json={"name": "Umum"})
    api.post(
        "/api/v1/price-list-items",
        json={"price_list": "Umum", "sku": "NW-0001", "unit_price": "200000"},
    )
    r = api.post(
        "/api/v1/promotions",
        json={
            "name": "Ulang tahun",
            "sku": "NW-0001",
            "kind": "birthday",
            "percent_off": "15",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "days": 7,
        },
    )
    assert r.status_code == 201, r.text
    assert (
        quote(hub, "r1", "NW-0001", 1, dt.datetime(2026, 6, 1, tzinfo=DISPLAY_TZ)).promotion_id
        is None
    )
    with hub.app.state.hub.session_factory() as s:
        assert s.scalar(select(Promotion.kind)) == "birthday"


def test_reseller_and_marketing_roles_cannot_change_price_lists(hub: Seeded) -> None:
    for role in (Role.RESELLER, Role.MARKETING, Role.FINANCE):
        r = hub.client(role).post("/price-lists/new", data={"name": "X"})
        assert r.status_code == 403, role
    assert hub.client(Role.MARKETING).get("/price-lists").status_code == 200
    assert hub.client(Role.RESELLER).get("/api/v1/price-lists").status_code == 403
