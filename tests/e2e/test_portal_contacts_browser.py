"""The shop's contacts in Debian's Chromium, as the reseller's admin keeps them, at 1366 and 390
px, in Indonesian: from the menu, a refused form that says what to fix and keeps what was typed,
then the contact saved — every page without sideways scrolling and without axe findings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_portal_journey import WIDTHS, fits
from tests.e2e.test_web_browser import sign_in

pytestmark = pytest.mark.browser
ENGLISH = ("Tell them about", "Agreed to", "Add a contact", "Check the fields", "is not an e-mail")


@pytest.mark.parametrize("width", WIDTHS)
def test_reseller_admin_adds_a_contact_in_indonesian(
    live_hub: Any, browser: Any, width: int
) -> None:
    _, base = live_hub
    name = f"Ani {width}"
    seen: list[str] = []
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
    page = ctx.new_page()
    sign_in(page, base, "reseller_admin-r1")
    page.wait_for_url(f"{base}/portal")
    page.goto(f"{base}/portal")
    page.click("header nav >> text=Kontak")
    page.wait_for_url(f"{base}/portal/contacts")
    fits(page, seen)

    form = page.locator("#contact-form")
    form.locator("#f-name").fill(name)
    form.locator("#f-email").fill("ani-at-toko")  # a typo
    form.locator("#f-whatsapp").fill("0812-3456-789")
    form.locator("#f-email_opt_in").check()
    form.locator("#save").click()
    page.locator("#error-email").wait_for()
    assert "bukan alamat e-mail" in page.locator("#error-email").inner_text()
    assert page.locator("#f-name").input_value() == name  # what was typed is kept
    fits(page, seen)

    page.locator("#f-email").fill("ani@toko1.test")
    page.locator("#save").click()
    page.locator("#contact-message").wait_for()
    row = page.locator("#contacts tr", has_text=name)
    assert "+628123456789" in row.inner_text() and "setuju" in row.inner_text()
    fits(page, seen)
    text = page.locator("main").inner_text()
    assert not [w for w in ENGLISH if w in text], text
    ctx.close()
