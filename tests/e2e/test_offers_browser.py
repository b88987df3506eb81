"""Browser: the owner edits, approves (in bulk, htmx) and publishes offers; the reseller sees and orders its own."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_web_browser import sign_in
from tests.hub.offers.test_pages import seed_offers
from tests.hub.web.webkit import XSS

pytestmark = pytest.mark.browser


def test_owner_approves_and_publishes_in_bulk_then_reseller_orders(live_hub, browser) -> None:
    hub, base = live_hub
    ids = seed_offers(hub.app)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, base, "owner")
    page.wait_for_url(f"{base}/dashboard")
    page.click("header nav >> text=Penawaran")
    page.wait_for_url(f"{base}/offers")
    r1_row = page.locator(f"#offer-{ids['r1']}")
    assert "Anda menjual 56" in r1_row.locator(".reason").inner_text()
    assert XSS in page.locator(f"#offer-{ids['r2']}").inner_text()  # shown as text, never run

    r1_row.locator("input.qty").fill("100")  # htmx re-prices the draft and swaps the row
    r1_row.locator("button.save-qty").click()
    page.locator(f"#offer-{ids['r1']} input.qty[value='100']").wait_for()
    assert "harga grosir mulai 100 unit" in page.locator(f"#offer-{ids['r1']} .rule").text_content()

    page.check("#select-all")
    page.click("#approve")  # htmx POST of the checked ids with the CSRF header
    page.locator("#offers-message").wait_for()
    assert "2 penawaran disetujui." in page.locator("#offers-message").inner_text()
    assert page.locator("#offers input[name=ids]").count() == 0  # no draft left to tick
    page.screenshot(path=str(ARTIFACTS / "owner-offers-approved.png"), full_page=True)
    page.click("#publish")
    page.locator("#offers-message").wait_for()
    assert "r1, r2" in page.locator("#offers-message").inner_text()
    assert page.locator(f"#offer-{ids['r1']} .status").inner_text().strip() == "diterbitkan"

    shop = browser.new_page()  # its own browser context: the reseller's session
    shop.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(shop, base, "reseller-r1")
    shop.wait_for_url(f"{base}/portal")
    shop.click("header nav >> text=Penawaran")
    shop.wait_for_url(f"{base}/portal/offers")
    mine = shop.locator("#my-offers").inner_text()
    assert "Alpha router" in mine and XSS not in mine  # r2's offer is not shown
    shop.screenshot(path=str(ARTIFACTS / "reseller-r1-offers.png"), full_page=True)
    shop.locator(f"#offer-{ids['r1']} button.order").click()
    shop.locator("#portal-message").wait_for()
    assert "Pesanan #" in shop.locator("#portal-message").inner_text()
    assert "Sudah dipesan" in shop.locator(f"#offer-{ids['r1']}").inner_text()
    assert dialogs == []
