"""Browser: a reseller orders from an offer, sends a transfer proof; finance confirms; the
warehouse ships with a waybill; the reseller sees the status and downloads the invoice.

Every step is a click on the real pages (offers portal, order page with the proof form,
finance's queue, the warehouse's pack-and-ship list); the invoice is downloaded from
the order page by the browser and rendered to PNG with pdftoppm.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import update

from hub.core.db import utcnow
from hub.offers.models import Offer
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_web_browser import sign_in
from tests.hub.offers.test_pages import seed_offers

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_order_pay_confirm_ship_invoice(live_hub, browser, tmp_path) -> None:
    hub, base = live_hub
    ids = seed_offers(hub.app)
    with hub.app.state.hub.session_factory() as s, s.begin():
        s.execute(
            update(Offer)
            .where(Offer.id == ids["r1"])
            .values(status="published", published_at=utcnow())
        )

    shop = browser.new_page()
    sign_in(shop, base, "reseller-r1")
    shop.wait_for_url(f"{base}/portal")
    shop.goto(f"{base}/portal/offers")
    shop.locator(f"#offer-{ids['r1']} button.order").click()
    shop.locator("#portal-message").wait_for()
    order_id = int(re.search(r"#(\d+)", shop.locator("#portal-message").inner_text()).group(1))

    shop.goto(f"{base}/portal/orders")
    shop.locator(f"#order-{order_id} a").click()
    shop.wait_for_url(f"{base}/portal/orders/{order_id}")
    order = shop.request.get(f"{base}/api/v1/orders/{order_id}").json()
    assert order["state"] == "awaiting_payment" and order["source"] == "offer"
    assert order["payment_reference"] in shop.locator("#bank").inner_text()
    form = shop.locator("#proof-form")
    form.locator("input[name=bank]").fill("BCA")
    form.locator("input[name=account_holder]").fill("Toko r1")
    form.locator("input[name=transfer_date]").fill(utcnow().date().isoformat())
    form.locator("input[name=proof]").set_input_files(
        {"name": "bukti.png", "mimeType": "image/png", "buffer": PNG}
    )
    form.locator("button[type=submit]").click()
    shop.locator("#order-message").wait_for()

    finance = browser.new_page()
    sign_in(finance, base, "finance")
    finance.wait_for_load_state()
    finance.goto(f"{base}/payments")
    row = finance.locator("#payment-queue tr", has_text=f"#{order_id}")
    proof_href = row.locator("a.proof").get_attribute("href")
    assert finance.request.get(f"{base}{proof_href}").body() == PNG
    row.locator("button.confirm").click()
    finance.locator("#payments-message").wait_for()

    stock = browser.new_page()
    sign_in(stock, base, "inventory")
    stock.wait_for_load_state()
    stock.goto(f"{base}/fulfilment")
    stock.locator(f"#pack-{order_id} button.pack").click()
    stock.locator("#fulfilment-message").wait_for()
    ship = stock.locator(f"#ship-{order_id}")
    ship.locator("input[name=courier]").fill("JNE")
    ship.locator("input[name=service]").fill("REG")
    ship.locator("input[name=waybill]").fill("JNE00042")
    ship.locator("button.ship").click()
    stock.locator("#fulfilment-message").wait_for()

    shop.goto(f"{base}/portal/orders/{order_id}")
    assert shop.locator("#waybill").inner_text() == "JNE00042"
    assert shop.locator("#history li").count() >= 5
    seen = shop.request.get(f"{base}/api/v1/orders/{order_id}").json()
    assert (
        seen["state"] == "shipped"
        and seen["waybill"] == "JNE00042"
        and seen["amount_due"] == "0.00"
    )
    with shop.expect_download() as dl:
        shop.locator("#invoice-link").click()
    pdf = tmp_path / "invoice.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(ARTIFACTS / "invoice")],
            check=True,
        )
        png = (ARTIFACTS / "invoice.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 3000
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert order["invoice_number"] in text and "Alpha router" in text
