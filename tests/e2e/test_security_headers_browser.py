"""Browser: the hub's pages and the API docs work under the Content-Security-Policy (no inline
script or style needed, nothing refused), and no other site can frame a page."""

from __future__ import annotations

import pytest

from tests.e2e.test_web_browser import sign_in

pytestmark = pytest.mark.browser


def _csp_errors(page) -> list[str]:  # ANN201
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return errors


def test_pages_run_under_the_policy(live_hub, browser) -> None:
    _hub, base = live_hub
    page = browser.new_page()
    errors = _csp_errors(page)
    sign_in(page, base, "owner")
    page.wait_for_url(f"{base}/dashboard")
    for path in ("/dashboard", "/quarantine", "/offers", "/catalog", "/shipping/calculator"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof htmx") == "object"  # the script loaded from /static ran
    assert errors == []


def test_api_docs_render_under_the_policy(live_hub, browser) -> None:
    _hub, base = live_hub
    page = browser.new_page()
    errors = _csp_errors(page)
    page.goto(f"{base}/api/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "SyncHub" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".swagger-ui .authorize").is_visible()  # bearer and cookie schemes
    assert [e for e in errors if "script" in e.lower()] == []


def test_another_site_cannot_frame_a_page(live_hub, browser) -> None:
    _hub, base = live_hub
    page = browser.new_page()
    page.set_content(f'<iframe id="f" src="{base}/login" width="400" height="300"></iframe>')
    page.wait_for_timeout(1000)
    framed = page.frame_locator("#f").locator("input[name=username]")
    assert framed.count() == 0  # the browser refused to show the sign-in form in a frame
