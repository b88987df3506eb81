"""Browser: the owner's day (Indonesian → English, quarantine retry) and a reseller's own view."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.hub.web.webkit import PASSWORD, XSS

pytestmark = pytest.mark.browser


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_owner_dashboard_language_switch_and_retry(live_hub, browser) -> None:
    hub, base = live_hub
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, base, "owner")
    page.wait_for_url(f"{base}/dashboard")
    assert page.locator("h1").inner_text() == "Kesehatan sinkronisasi"
    assert page.locator("#missed-alert").is_visible()
    page.screenshot(path=str(ARTIFACTS / "owner-dashboard-id.png"), full_page=True)
    page.click("#lang-en")
    page.wait_for_url(f"{base}/dashboard")
    assert page.locator("h1").inner_text() == "Sync health"
    page.screenshot(path=str(ARTIFACTS / "owner-dashboard-en.png"), full_page=True)
    page.click("header nav >> text=Quarantine")
    page.wait_for_url(f"{base}/quarantine")
    sid = hub.snapshot_ids["r1"]["quarantined"]
    row = page.locator(f"#snapshot-{sid}")
    assert XSS in row.locator(".reason").inner_text()  # shown as text, never run
    row.locator("button.retry").click()  # htmx POST with the CSRF header
    row.locator(".retried").wait_for()
    page.screenshot(path=str(ARTIFACTS / "owner-quarantine-retried.png"), full_page=True)
    with hub.app.state.hub.session_factory() as s:
        from hub.ingest.models import Snapshot

        assert s.get(Snapshot, sid).status == "received"
    assert dialogs == []  # no injected script ran


def test_reseller_sees_only_its_own_data(live_hub, browser) -> None:
    hub, base = live_hub
    page = browser.new_page()
    sign_in(page, base, "reseller-r2")
    page.wait_for_url(f"{base}/portal")
    body = page.locator("main").inner_text()
    assert "(r2)" in body and "r1" not in body
    page.click("text=products")
    page.wait_for_url(f"{base}/data/r2?dataset=products")
    table = page.locator("#rows").inner_text()
    assert "Laptop r2" in table and "Laptop r1" not in table
    page.screenshot(path=str(ARTIFACTS / "reseller-r2-data.png"), full_page=True)
    response = page.goto(f"{base}/data/r1")
    assert response is not None and response.status == 404
    assert page.goto(f"{base}/dashboard").status == 403
