"""The API documentation page works on a closed network: every asset it loads is served by the hub."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.hub.web.webkit import Seeded


def test_api_docs_use_only_vendored_assets(hub: Seeded) -> None:
    client = TestClient(hub.app)
    page = client.get("/api/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assets = [u for u in urls if u.endswith((".js", ".css", ".png"))]
    assert assets and all(u.startswith("/static/") for u in assets), assets
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert client.get("/openapi.json").json()["info"]["title"] == "SyncHub"
