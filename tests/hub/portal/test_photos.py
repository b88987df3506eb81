"""Product photos: staff upload through the API, the hub re-encodes and makes a thumbnail, the
reseller's catalog and product page show it; what is not a photo, or too big, is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from hub.catalog.models import Product
from hub.core.roles import Role
from tests.hub.portal.shopkit import build_shop
from tests.hub.web.webkit import Seeded, seed


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path)


def _png(w: int, h: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_upload_thumbnail_and_show(hub: Seeded) -> None:
    ids = build_shop(hub.app.state.hub.session_factory)
    url = f"/api/v1/catalog/products/{ids['model']}/photos"
    ops = hub.client(Role.OPERATIONS)
    assert (
        hub.client(Role.RESELLER).post(url, files={"file": ("a.png", _png(10, 10))}).status_code
        == 403
    )
    bad = ops.post(url, files={"file": ("a.png", b"<?php echo 1; ?>")})
    assert bad.status_code == 422 and "not a photo" in bad.json()["message"]
    r = ops.post(url, files={"file": ("kaos.png", _png(2000, 1000))})
    assert r.status_code == 201, r.text
    name = r.json()["name"]
    with hub.app.state.hub.session_factory() as s:
        assert s.get_one(Product, ids["model"]).images == [name]

    shop = hub.client(Role.RESELLER)
    assert f"/media/products/thumbs/{name}" in shop.get("/portal/catalog").text
    assert f'href="/media/products/{name}"' in shop.get(f"/portal/catalog/{ids['model']}").text
    thumb = shop.get(f"/media/products/thumbs/{name}")
    full = shop.get(f"/media/products/{name}")
    assert thumb.headers["content-type"] == full.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 160)
    assert Image.open(io.BytesIO(full.content)).size == (1600, 800)
    assert shop.get("/media/products/thumbs/..%2Fhub.json").status_code == 404
    assert shop.get("/media/products/" + "0" * 32 + ".jpg").status_code == 404
    assert hub.client().get(f"/media/products/{name}").status_code in (303, 401)  # signed in only
    assert (
        ops.post(
            "/api/v1/catalog/products/999999/photos", files={"file": ("a.png", _png(5, 5))}
        ).status_code
        == 404
    )
