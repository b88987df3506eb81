"""Browser: a reseller orders from an offer, sends a transfer proof; finance confirms; the
warehouse ships with a waybill; the reseller sees the status and downloads the invoice.

The portal has an order button but no pages yet for proofs, the finance queue or
shipping: those steps call the API from the same signed-in browser sessions
(cookie + the page's CSRF token), as the pages will. The invoice is downloaded
by the browser and rendered to PNG with pdftoppm.
"""

from __future__ import annotations

import json
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


def _csrf(page) -> dict[str, str]:  # noqa: ANN001
    return json.loads(page.locator("body").get_attribute("hx-headers"))


def test_order_pay_confirm_ship_invoice(live_hub, browser, tmp_path) -> None:  # noqa: ANN001
    hub, base = live_hub
    ids = seed_offers(hub.app)
    with hub.app.state.session_factory() as s, s.begin():
        s.execute(update(Offer).where(Offer.id == ids["r1"]).values(status="published", published_at=utcnow()))

    shop = browser.new_page()
    sign_in(shop, base, "reseller-r1")
    shop.wait_for_url(f"{base}/portal")
    shop.goto(f"{base}/portal/offers")
    shop.locator(f"#offer-{ids['r1']} button.order").click()
    shop.locator("#portal-message").wait_for()
    order_id = int(re.search(r"#(\d+)", shop.locator("#portal-message").inner_text()).group(1))

    order = shop.request.get(f"{base}/api/orders/{order_id}").json()
    assert order["state"] == "awaiting_payment" and order["source"] == "offer"
    sent = shop.request.post(f"{base}/api/orders/{order_id}/payments", headers=_csrf(shop), multipart={
        "invoice_number": order["invoice_number"], "bank": "BCA", "account_holder": "Toko r1",
        "transfer_date": utcnow().date().isoformat(), "amount": order["transfer_amount"],
        "proof": {"name": "bukti.png", "mimeType": "image/png", "buffer": PNG}})
    assert sent.status == 201, sent.text()

    finance = browser.new_page()
    sign_in(finance, base, "finance")
    finance.wait_for_load_state()
    queue = finance.request.get(f"{base}/api/payments/queue").json()["data"]
    conf = next(c for c in queue if c["order_id"] == order_id)
    assert finance.request.get(f"{base}{conf['proof_url']}").body() == PNG
    assert finance.request.post(f"{base}/api/payments/{conf['id']}/confirm", headers=_csrf(finance)).ok

    stock = browser.new_page()
    sign_in(stock, base, "inventory")
    stock.wait_for_load_state()
    for event, body in (("pack", None), ("ship", {"courier": "JNE", "service": "REG", "waybill": "JNE00042"})):
        r = stock.request.post(f"{base}/api/orders/{order_id}/events/{event}", headers=_csrf(stock), data=body)
        assert r.ok, r.text()

    shop.goto(f"{base}/api/orders/{order_id}")
    seen = json.loads(shop.locator("body").inner_text())
    assert seen["state"] == "shipped" and seen["waybill"] == "JNE00042" and seen["amount_due"] == "0.00"
    shop.goto(f"{base}/portal")
    with shop.expect_download() as dl:
        shop.evaluate("""(href) => { const a = document.createElement('a'); a.href = href; a.download = '';
                         document.body.appendChild(a); a.click(); }""", f"/api/orders/{order_id}/invoice.pdf")
    pdf = tmp_path / "invoice.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(ARTIFACTS / "invoice")],
                       check=True)
        png = (ARTIFACTS / "invoice.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 3000
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert order["invoice_number"] in text and "Alpha router" in text
