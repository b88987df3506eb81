"""Acceptance (1) of the portal, in Debian's Chromium at 1366 and 390 px: a reseller finds a
product by search, sees its price and why, puts two variants in the cart, picks an address and
a courier, orders, pays the down payment and then the rest (finance confirms each on its own
page), downloads the invoice and a receipt, and confirms receipt once the warehouse shipped.

Every portal page met on the way (and every other portal page at the end) is checked for
sideways scrolling: ``document.scrollingElement.scrollWidth`` must not exceed the viewport; and
for accessibility (acceptance 4): axe-core finds nothing serious and every control has a label
(``tests/e2e/a11y.py``; signed-out pages and error states in ``test_portal_a11y.py``).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hub.core.db import utcnow
from tests.e2e.a11y import findings
from tests.e2e.test_web_browser import sign_in
from tests.hub.portal.shopkit import build_shop

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WIDTHS = (1366, 390)


@pytest.fixture(scope="module")
def shop(live_hub: Any) -> dict[str, int]:
    hub, _ = live_hub
    return build_shop(hub.app.state.hub.session_factory)


def fits(page: Any, seen: list[str]) -> None:
    """The page needs no sideways scrolling at the viewport's width, and axe finds nothing."""
    page.wait_for_load_state()
    wide, view = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert wide <= view, f"{page.url} scrolls sideways: {wide} px wide in {view} px"
    found = findings(page)
    assert not found, "\n".join(found)
    seen.append(page.url)


def pdf_text(download: Any, tmp: Path, name: str) -> str:
    path = tmp / f"{name}.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def send_proof(page: Any, seen: list[str]) -> str:
    """Fill the proof form as the page proposes; returns the amount it proposed."""
    form = page.locator("#proof-form")
    amount = form.locator("input[name=amount]").input_value()
    form.locator("input[name=bank]").fill("BCA")
    form.locator("input[name=account_holder]").fill("Budi Santoso")
    form.locator("input[name=transfer_date]").fill(utcnow().date().isoformat())
    form.locator("input[name=proof]").set_input_files(
        {"name": "bukti.png", "mimeType": "image/png", "buffer": PNG}
    )
    form.locator("button[type=submit]").click()
    page.locator("#order-message").wait_for()
    fits(page, seen)
    return amount


def finance_confirms(finance: Any, base: str, order_id: int) -> None:
    finance.goto(f"{base}/payments")
    finance.locator("#payment-queue tr", has_text=f"#{order_id}").locator("button.confirm").click()
    finance.locator("#payments-message").wait_for()


@pytest.mark.parametrize("width", WIDTHS)
def test_reseller_journey(
    live_hub: Any, browser: Any, shop: dict[str, int], width: int, tmp_path: Path
) -> None:
    hub, base = live_hub
    seen: list[str] = []
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
    page = ctx.new_page()
    sign_in(page, base, "reseller-r1")
    page.wait_for_url(f"{base}/portal")
    fits(page, seen)

    # find it by search; its price and why
    page.goto(f"{base}/portal/catalog")
    page.locator("#catalog-search input[name=q]").fill("kaos")
    page.locator("#catalog-search button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/portal/catalog\?q=kaos.*"))
    fits(page, seen)
    page.locator(f"#product-{shop['model']} a.product-link").click()
    page.wait_for_url(f"{base}/portal/catalog/{shop['model']}")
    fits(page, seen)
    red = page.locator(f"#variant-{shop['red']}")
    assert red.locator(".price").inner_text().startswith("Rp 108.000")
    why = red.locator(".why").inner_text()
    assert "Grosir 2026" in why and "Merah Merdeka" in why and "10%" in why

    # two variants into the cart
    page.locator(f"input[name=qty-{shop['red']}]").fill("2")
    page.locator(f"input[name=qty-{shop['blue']}]").fill("1")
    page.locator("#add-button").click()
    page.wait_for_url(re.compile(r".*/portal/cart.*"))
    fits(page, seen)
    lines = page.locator("#cart-lines").inner_text()
    assert "Warna: Merah" in lines and "Warna: Biru" in lines

    # an address and a courier (not the cheapest one preselected)
    page.locator("#checkout-link").click()
    page.wait_for_url(f"{base}/portal/checkout")
    fits(page, seen)
    page.locator("#address-pick select[name=address]").select_option(index=0)
    page.locator("#address-pick button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("input[name=shipping][value='JNE|REG']").is_checked()  # cheapest
    page.locator("input[name=shipping][value='TIKI|ONS']").check()
    page.locator("textarea[name=note]").fill("Kirim pagi")
    page.locator("#place-order").click()
    page.wait_for_url(re.compile(r".*/portal/orders/\d+.*"))
    fits(page, seen)
    order_id = int(re.search(r"/portal/orders/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    order = page.request.get(f"{base}/api/v1/orders/{order_id}").json()
    assert order["shipping_courier"] == "TIKI" and order["state"] == "awaiting_payment"

    # the down payment, then the rest; finance confirms each
    assert "Uang muka dulu" in page.locator("#pay-now").inner_text()
    finance = browser.new_page()
    sign_in(finance, base, "finance")
    finance.wait_for_load_state()
    first = send_proof(page, seen)
    finance_confirms(finance, base, order_id)
    page.goto(f"{base}/portal/orders/{order_id}")
    fits(page, seen)
    assert "sisa yang perlu ditransfer" in page.locator("#pay-now").inner_text()
    rest = send_proof(page, seen)
    assert rest != first
    finance_confirms(finance, base, order_id)
    page.goto(f"{base}/portal/orders/{order_id}")
    fits(page, seen)
    paid = page.request.get(f"{base}/api/v1/orders/{order_id}").json()
    assert paid["state"] == "paid" and paid["amount_due"] == "0.00"

    # invoice and receipt
    with page.expect_download() as dl:
        page.locator("#invoice-link").click()
    text = pdf_text(dl.value, tmp_path, "invoice")
    assert order["invoice_number"] in text and "DPP" in text and "PPN" in text
    receipts = page.locator("a.receipt-link")
    assert receipts.count() == 2
    with page.expect_download() as dl:
        receipts.nth(1).click()
    text = pdf_text(dl.value, tmp_path, "receipt")
    assert f"KW/{order['invoice_number']}/2" in text and "KUITANSI" in text.upper()

    # the warehouse ships; the reseller follows and confirms receipt
    stock = browser.new_page()
    sign_in(stock, base, "inventory")
    stock.wait_for_load_state()
    stock.goto(f"{base}/fulfilment")
    stock.locator(f"#pack-{order_id} button.pack").click()
    stock.locator("#fulfilment-message").wait_for()
    ship = stock.locator(f"#ship-{order_id}")
    ship.locator("input[name=courier]").fill("TIKI")
    ship.locator("input[name=service]").fill("ONS")
    ship.locator("input[name=waybill]").fill(f"TK{order_id:06d}")
    ship.locator("button.ship").click()
    stock.locator("#fulfilment-message").wait_for()
    page.goto(f"{base}/portal/orders/{order_id}")
    fits(page, seen)
    assert f"TK{order_id:06d}" in (page.locator("#tracking-link").get_attribute("href") or "")
    page.locator("#confirm-receipt button").click()
    page.locator("#order-message").wait_for()
    fits(page, seen)
    assert page.request.get(f"{base}/api/v1/orders/{order_id}").json()["state"] == "completed"

    # every other portal page fits too
    for path in (
        "/portal/orders",
        "/portal/statement",
        "/portal/addresses",
        "/portal/offers",
        "/portal/warranty",
        "/account",
        "/account/profile",
    ):
        page.goto(f"{base}{path}")
        fits(page, seen)
    assert len(seen) >= 14
    for p in (finance, stock):
        p.close()
    ctx.close()
