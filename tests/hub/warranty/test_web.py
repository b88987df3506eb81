"""Warranty over HTTP: IDOR (a reseller probing another reseller's claim ids on every route),
what a reseller may never see (supplier claims, costs), photos checked by content, the portal
form keeping what was typed, and every string of the pages translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.core.deps import iter_routes
from hub.core.i18n import catalogue
from hub.core.roles import Role
from hub.warranty import lifecycle, pages
from tests.hub.purchasing.errortexts import fixed_texts
from tests.hub.purchasing.msgids import missing, template_ids
from tests.hub.warranty.weblab import packed_order, png, stock_laptops
from tests.hub.web.webkit import Seeded, seed

API = "/api/v1/warranty"


def _ship_to(hub: Seeded, order_id: int, serial: str) -> None:
    r = hub.client(Role.INVENTORY).post(
        f"/api/v1/orders/{order_id}/events/ship",
        json={"courier": "JNE", "waybill": "W1", "serials": [serial]},
    )
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """r1 holds LT-1001 with a claim and a photo; r2 holds LT-1003 with a claim."""
    hub = seed(Path(tmp_path_factory.mktemp("warranty-web")))
    stock_laptops(hub)
    _ship_to(hub, packed_order(hub, "r1"), "LT-1001")
    _ship_to(hub, packed_order(hub, "r2"), "LT-1003")
    for rid, serial in (("r1", "LT-1001"), ("r2", "LT-1003")):
        c = hub.client(Role.RESELLER, rid)
        r = c.post(
            f"{API}/claims", json={"serial": serial, "problem": "Tidak bisa menyala sama sekali"}
        )
        assert r.status_code == 201, r.text
        hub.tokens[f"claim-{rid}"] = str(r.json()["id"])
        r = c.post(
            f"{API}/claims/{r.json()['id']}/photos", files={"photos": ("a.png", png(), "image/png")}
        )
        assert r.status_code == 201, r.text
        hub.tokens[f"photo-{rid}"] = str(r.json()["photos"][0]["id"])
    return hub


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.mark.parametrize("how", ["reseller", "reseller_admin", "token"])
def test_a_reseller_never_reaches_another_resellers_claim(hub: Seeded, how: str) -> None:
    client = hub.token_client("r1") if how == "token" else hub.client(Role(how), "r1")
    theirs = {
        "claim_id": hub.tokens["claim-r2"],
        "photo_id": hub.tokens["photo-r2"],
        "event": "cancel",
    }
    leaks = []
    for route in iter_routes(hub.app.routes):
        if "{claim_id}" not in getattr(route, "path", ""):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            r = client.request(
                method,
                _fill(route.path, theirs),
                **({"json": {}} if route.path.startswith("/api/") and method == "POST" else {}),
            )
            if r.status_code not in (403, 404, 422):
                leaks.append(f"{method} {route.path}: {r.status_code} {r.text[:100]}")
    assert not leaks, "\n".join(leaks)
    mine = client.get(f"{API}/claims").json()
    assert [c["reseller_id"] for c in mine["data"]] == ["r1"]
    assert client.get(
        f"{API}/claims/{hub.tokens['claim-r1']}/photos/{hub.tokens['photo-r1']}"
    ).content.startswith(b"\x89PNG")
    # r1's own claim id with r2's photo id: not served either
    assert (
        client.get(
            f"{API}/claims/{hub.tokens['claim-r1']}/photos/{hub.tokens['photo-r2']}"
        ).status_code
        == 404
    )


def test_resellers_never_see_supplier_claims_costs_or_histories(hub: Seeded) -> None:
    reseller = hub.client(Role.RESELLER, "r1")
    for path in (
        f"{API}/supplier-claims",
        f"{API}/serials/LT-1001",
        "/warranty",
        "/warranty/serials?serial=LT-1001",
        "/warranty/unrepairable",
    ):
        assert reseller.get(path).status_code == 403, path
    r = reseller.post(f"{API}/claims/{hub.tokens['claim-r1']}/events/receive", json={})
    assert r.status_code == 403  # only the repair desk moves a claim
    page = reseller.get(f"/portal/warranty/{hub.tokens['claim-r1']}").text
    assert "LT-1001" in page and "Diajukan" in page


def test_photos_are_checked_by_content_and_the_form_keeps_what_was_typed(hub: Seeded) -> None:
    reseller = hub.client(Role.RESELLER, "r1")
    reseller.headers["Accept-Language"] = "id"  # the API answers in the caller's language
    r = reseller.post(
        f"{API}/claims/{hub.tokens['claim-r1']}/photos",
        files={"photos": ("x.png", b"MZ\x90\x00 not an image", "image/png")},
    )
    assert r.status_code == 422 and "PNG, JPEG atau PDF" in r.json()["message"]
    r = reseller.post(
        "/portal/warranty",
        data={"serial": "LT-9999", "problem": "Kipas berisik sekali setiap pagi"},
        files={"photos": ("a.png", png(), "image/png")},
    )
    assert r.status_code == 422
    assert (
        "LT-9999" in r.text
        and "Kipas berisik sekali setiap pagi" in r.text
        and "warranty-error" in r.text
    )
    r = reseller.post(
        "/portal/warranty",
        data={"serial": "LT-1001", "problem": "Kipas berisik sekali setiap pagi"},
    )
    assert r.status_code == 422 and "photo" in r.text.lower()


def test_errors_a_reseller_meets_are_in_indonesian(hub: Seeded) -> None:
    reseller = hub.client(Role.RESELLER, "r1")
    reseller.headers["Accept-Language"] = "id"  # the API answers in the caller's language
    r = reseller.post(
        f"{API}/claims", json={"serial": "LT-9999", "problem": "Kipas berisik sekali"}
    )
    body = r.json()
    assert r.status_code == 404
    assert body["message"] == "tidak ada unit dengan nomor seri 'LT-9999' yang dikirim kepada Anda"
    assert body["hint"].startswith("ketik nomor seri persis")


def test_every_string_of_the_warranty_pages_and_errors_is_translated() -> None:
    files = [
        Path(pages.__file__).with_name(f"{m}.py")
        for m in ("service", "supplier_claims", "pages", "files")
    ]
    assert missing(fixed_texts(*files), catalogue("id")) == []
    ids = template_ids("warranty") | {"Warranty"} | set(pages.DONE.values())
    for words in (
        lifecycle.STATE_WORDS,
        lifecycle.STEP_WORDS,
        lifecycle.ANSWER_WORDS,
        lifecycle.BUTTONS,
    ):
        ids |= set(words.values())
    ids |= set(lifecycle.SERIAL_STATES.values()) | set(lifecycle.SERIAL_EVENTS.values())
    assert missing(ids, catalogue("id")) == []
