"""The mapping editor without a browser: fill, preview (with a transform), save, download, load a file,
and bad input that re-renders with what was typed."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from hub.core.roles import Role
from hub.mapping import service
from tests.hub.web.webkit import Seeded


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m is not None
    return m.group(1)


FORM = {
    "name": "toko-r1",
    "product:use": "on",
    "product:dataset": "products",
    "product.sku:col": "id",
    "product.name:col": "name",
    "product.unit_price:col": "price",
    "product.unit_price:tax": "included",
    "product.unit_price:rate": "11",
}


def test_preview_save_download_and_load_a_profile(fresh_hub: Seeded) -> None:
    owner = fresh_hub.client(Role.OWNER)
    page = owner.get("/mapping/r1")
    assert (
        page.status_code == 200 and "Pemetaan" in page.text and 'value="products"' not in page.text
    )
    assert "<option>products</option>" in page.text  # the reseller's merged datasets are offered
    token = _csrf(page.text)
    r = owner.post("/mapping/r1", data={**FORM, "action": "preview", "csrf_token": token})
    assert r.status_code == 200 and 'id="preview-product"' in r.text
    assert "1112222.5225" in r.text  # 1.234.567,00 incl. 11 % VAT -> before tax, 4 places
    with fresh_hub.app.state.hub.session_factory() as s:
        assert service.applied_profile(s, "r1") is None  # a preview applies nothing
    r = owner.post("/mapping/r1", data={**FORM, "action": "save", "csrf_token": token})
    assert r.status_code == 200 and 'id="mapping-message"' in r.text and "diterapkan" in r.text
    with fresh_hub.app.state.hub.session_factory() as s:
        _fields, rows = service.entity_rows(s, "r1", "product")
    assert sorted(r[2] for r in rows) == [Decimal("13.9640"), Decimal("1112222.5225")]

    saved = owner.get("/mapping/r1/profile.json")
    assert saved.status_code == 200 and "attachment" in saved.headers["content-disposition"]
    doc = json.loads(saved.text)
    assert doc["entities"]["product"]["fields"]["unit_price"] == {
        "column": "price",
        "tax": "included",
        "tax_rate": "11",
    }
    again = owner.post(
        "/mapping/r2/upload",
        files={"file": ("p.json", saved.text, "application/json")},
        data={"csrf_token": token},
    )
    assert again.status_code == 200 and 'name="product.unit_price:rate" value="11"' in again.text
    audit = owner.get("/api/v1/audit", params={"action": "mapping.apply"}).json()
    assert audit["count"] == 1


def test_bad_input_keeps_what_was_typed_and_names_the_problem(fresh_hub: Seeded) -> None:
    owner = fresh_hub.client(Role.OWNER)
    token = _csrf(owner.get("/mapping/r1").text)
    bad = {
        **FORM,
        "product.unit_price:multiply": "banyak",
        "product.sku:col": "",
        "stock_level:use": "on",
        "action": "save",
        "csrf_token": token,
    }
    r = owner.post("/mapping/r1", data=bad)
    assert r.status_code == 422 and 'id="mapping-problems"' in r.text
    assert 'value="banyak"' in r.text  # kept as typed
    assert "product.sku:col" in r.text and "stock_level:dataset" in r.text
    wrong = {**FORM, "product.name:col": "no_such_column", "action": "save", "csrf_token": token}
    r = owner.post("/mapping/r1", data=wrong)
    assert r.status_code == 422 and "no_such_column" in r.text and "not found" in r.text
    with fresh_hub.app.state.hub.session_factory() as s:
        assert service.applied_profile(s, "r1") is None
    junk = owner.post(
        "/mapping/r1/upload",
        files={"file": ("p.json", "{not json", "application/json")},
        data={"csrf_token": token},
    )
    assert junk.status_code == 422 and "p.json" in junk.text


def test_only_owner_and_operations_map(fresh_hub: Seeded) -> None:
    assert fresh_hub.client(Role.MARKETING).get("/mapping/r1").status_code == 403
    assert fresh_hub.client(Role.RESELLER_ADMIN, "r1").get("/mapping/r1").status_code in (403, 404)
    assert fresh_hub.client(Role.OWNER).get("/mapping/nobody").status_code == 404
