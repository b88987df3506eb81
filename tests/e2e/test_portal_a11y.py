"""Acceptance (4) of the portal: accessibility checked in Debian's Chromium on every portal page.

The journey (``test_portal_journey.py``) checks each page it meets on the way to a paid, shipped
and received order. This test covers what the journey does not see, at 1366 and 390 px (the
phone layout has rules of its own): the signed-out pages (sign-in with its error, forgot
password and its answer, the reset link's form, its error and a dead link), the empty states
(an empty cart, a search that finds nothing, checkout before an address is picked), and the
forms re-rendered with an error (address book, profile). Each must give axe-core no serious or
critical violation, and every control a label (``tests/e2e/a11y.py``).

The first test shows the check can fail: a page with an input named only by its placeholder
(which axe lets pass, our label check does not), a nameless select,
grey-on-white text and an image without ``alt`` yields a finding for each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest

from hub.core.db import transaction, utcnow
from hub.portal.models import PasswordReset
from tests.e2e.a11y import findings
from tests.e2e.test_portal_journey import WIDTHS, shop  # noqa: F401  (fixture)
from tests.e2e.test_web_browser import sign_in

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html lang="id"><head><title>Buruk</title></head><body><main>
<h1>Buruk</h1><p style="color:#bbb;background:#fff">Teks abu-abu pucat</p>
<input name="q" placeholder="Cari"><select name="s"><option>a</option></select>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</main></body></html>"""


def test_the_check_finds_what_blocks_users(browser: Any) -> None:
    page = browser.new_page()
    page.set_content(BAD_PAGE)
    found = "\n".join(findings(page))
    page.close()
    for what in (
        'unlabelled control <input name="q"',
        "unlabelled control <select",
        "color-contrast (serious)",
        "image-alt (critical)",
        "select-name (critical)",
    ):
        assert what in found, found


def reset_link(hub: Any, width: int) -> str:
    """An open reset link for the reseller (the mail that carries it is acceptance 3's test)."""
    token = f"a11y-reset-{width}-" + "x" * 24
    now = utcnow()
    with transaction(hub.app.state.hub.session_factory) as s:
        s.add(
            PasswordReset(
                user_id=hub.users["reseller-r1"].id,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                created_at=now,
                expires_at=now + dt.timedelta(hours=1),
            )
        )
    return f"/password/reset/{token}"


@pytest.mark.parametrize("width", WIDTHS)
def test_portal_pages_states_and_errors_pass_axe(
    live_hub: Any,
    browser: Any,
    shop: dict[str, int],  # noqa: F811
    width: int,
) -> None:
    hub, base = live_hub
    found: list[str] = []
    checked: list[str] = []

    def check(page: Any, expect: str = "") -> None:
        """Check the page; ``expect`` is a selector that proves the state meant is shown."""
        if expect:
            page.locator(expect).first.wait_for()
        found.extend(findings(page))
        checked.append(re.sub(r"^https?://[^/]+", "", page.url))

    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
    page = ctx.new_page()

    # signed out
    page.goto(f"{base}/login")
    check(page, "input[name=username]")
    page.fill("input[name=username]", "reseller-r1")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    check(page, ".error, .alert")
    page.goto(f"{base}/password/forgot")
    check(page, "#forgot-form")
    page.fill("input[name=email]", "nobody@toko.test")
    page.click("#forgot-form button[type=submit]")
    check(page)
    page.goto(f"{base}{reset_link(hub, width)}")
    check(page, "#reset-form")
    page.fill("input[name=new]", "kopi susu gula aren")
    page.fill("input[name=repeat]", "kopi susu gula arem")
    page.click("#reset-form button[type=submit]")
    check(page, ".error, .alert")
    page.goto(f"{base}/password/reset/no-such-link")
    check(page)

    # signed in: empty states
    sign_in(page, base, "reseller-r1")
    page.wait_for_url(f"{base}/portal")
    page.goto(f"{base}/portal/cart")
    check(page)
    page.goto(f"{base}/portal/catalog")
    check(page, "select[name=category]")
    page.goto(f"{base}/portal/catalog?q=tidak+ada+barang+ini")
    check(page)
    page.goto(f"{base}/portal/catalog/{shop['other']}")
    check(page, ".variant")  # not in the price list: no quantity field
    page.goto(f"{base}/portal/catalog/{shop['model']}")
    page.locator(f"input[name=qty-{shop['red']}]").fill("1")
    page.locator("#add-button").click()
    page.wait_for_url(re.compile(r".*/portal/cart.*"))
    page.goto(f"{base}/portal/checkout")
    check(page, "#address-pick")

    # forms re-rendered with their error
    page.goto(f"{base}/portal/addresses")
    form = page.locator("form", has=page.locator("input[name=postal_code]"))
    form.locator("input[name=recipient]").fill("Budi")
    form.locator("input[name=phone]").fill("0812")
    form.locator("textarea[name=street]").fill("Jl. Mawar 1")
    form.locator("input[name=postal_code]").fill("00000")
    form.locator("button[type=submit]").click()
    check(page, ".error, .alert")
    page.goto(f"{base}/account/profile")
    page.fill("input[name=email]", "bukan-alamat")
    page.evaluate("document.querySelector('input[name=email]').type = 'text'")  # past the browser
    page.locator("form", has=page.locator("input[name=email]")).locator("button").click()
    check(page, ".error, .alert")
    ctx.close()

    assert len(checked) == 14, checked
    assert not found, "\n".join(found)
