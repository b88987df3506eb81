"""An empty hub's first owner, made in the browser with the setup code from the hub's disk."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from hub.app import create_app
from hub.users import setup
from tests.hub.web.webkit import login_form, settings


def _form(client: TestClient) -> str:
    page = client.get("/setup")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def test_the_first_owner_is_made_with_the_setup_code_then_setup_closes(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path))
    home = app.state.hub.settings.home
    browser = TestClient(app, follow_redirects=False)
    assert 'href="/setup"' in browser.get("/login").text
    token = _form(browser)
    code = setup.code_file(home).read_text().strip()
    assert (setup.code_file(home).stat().st_mode & 0o777) == 0o600
    wrong = browser.post(
        "/setup",
        data={"code": "nope", "username": "direktur", "password": "x", "csrf_token": token},
    )
    assert (
        wrong.status_code == 403
        and "kode penyiapan salah" in wrong.text
        and 'value="direktur"' in wrong.text
    )
    token = _form(browser)
    weak = browser.post(
        "/setup",
        data={"code": code, "username": "direktur", "password": "123", "csrf_token": token},
    )
    assert weak.status_code == 422 and setup.code_file(home).exists()
    token = _form(browser)
    ok = browser.post(
        "/setup",
        data={
            "code": code,
            "username": "direktur",
            "password": "kopi tubruk 2026 pagi",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/login")
    assert not setup.code_file(home).exists()
    assert browser.get("/setup").status_code == 303  # closed once a user exists
    assert "first-start" not in browser.get("/login").text
    signed = login_form(
        TestClient(app, follow_redirects=False), "direktur", "kopi tubruk 2026 pagi"
    )
    assert signed.status_code == 303
    no_csrf = browser.post(
        "/setup", data={"code": code, "username": "x", "password": "kopi tubruk 2026 pagi"}
    )
    assert no_csrf.status_code == 403
