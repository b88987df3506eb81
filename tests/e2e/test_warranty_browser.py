"""Acceptance 3, in Debian's Chromium on a real uvicorn: the warehouse ships a laptop with its
serial; the reseller files a warranty claim with a photo; the repair desk receives, inspects
and replaces it; the defective unit goes back to its supplier, whose answer is a credit note;
the reseller sees every step in the portal (also at 390 px, no sideways scroll); the serial's
history shows the supplier receipt, the shipment, the claim and the supplier claim.

The laptops are bought through the purchasing API first (supplier, purchase order, receipt
with serial numbers), so the history starts at a real receipt.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub.purchasing.models import CreditNote
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_web_browser import sign_in
from tests.hub.warranty.weblab import png, stock_and_order

pytestmark = pytest.mark.browser
API = "/api/v1/purchasing"


def _no_sideways_scroll(page) -> None:  # ANN001
    """Nothing of the page's own content is wider than the phone (the shared header's width
    at 390 px is the portal work's, #20: checked here on <main> only)."""
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('main *'))"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '#' + e.id)"
    )
    assert wide == []


def test_claim_replace_supplier_credit_and_serial_history(live_hub, browser) -> None:
    hub, base = live_hub
    order_id = stock_and_order(hub)

    # the warehouse ships the order, scanning the laptop's serial
    desk = browser.new_page()
    sign_in(desk, base, "inventory")
    desk.goto(f"{base}/fulfilment")
    row = desk.locator(f"#ship-{order_id}")
    row.locator("input[name=courier]").fill("JNE")
    row.locator("input[name=waybill]").fill("JNE-0001")
    row.locator("textarea[name=serials]").fill("lt-1001")
    row.locator("button.ship").click()
    desk.locator("#fulfilment-message").wait_for()
    assert desk.locator(f"#ship-{order_id}").count() == 0

    # the reseller files a claim with a photo, on a phone
    shop = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(shop, base, "reseller-r1")
    shop.goto(f"{base}/portal/warranty")
    _no_sideways_scroll(shop)
    form = shop.locator("#claim-form")
    form.locator("input[name=serial]").fill("LT-1001")
    form.locator("textarea[name=problem]").fill("Layar berkedip lalu mati setelah 10 menit")
    form.locator("input[name=photos]").set_input_files(
        {"name": "layar.png", "mimeType": "image/png", "buffer": png()}
    )
    form.locator("#claim-submit").click()
    shop.locator("#warranty-message").wait_for()
    claim_url = shop.url.split("?")[0]
    claim_id = int(claim_url.rsplit("/", 1)[1])
    number = shop.locator("h1").inner_text().split()[0]
    assert number.startswith("RMA-") and shop.locator("#claim-state").inner_text() == "Diajukan"
    # the photo is served back (as a user sees it once loaded: a busy machine may take a moment).
    # `expect` polls the property from Playwright's own world: `wait_for_function` with a string
    # polls through `eval` in the page, which the pages' Content-Security-Policy refuses once the
    # first check has not already passed.
    expect(shop.locator("#photos img")).to_have_js_property("naturalWidth", 24, timeout=30_000)
    _no_sideways_scroll(shop)

    # the repair desk receives, inspects and replaces
    repair = browser.new_page()
    sign_in(repair, base, "repair")
    repair.goto(f"{base}/warranty")
    repair.locator(f"#claim-{claim_id} a").click()
    repair.locator("#step-receive button").click()
    repair.locator("#warranty-message").wait_for()
    repair.locator("#step-inspect textarea[name=findings]").fill(
        "Panel LCD rusak, konektor terbakar"
    )
    repair.locator("#step-inspect button").click()
    repair.locator("#warranty-message").wait_for()
    step = repair.locator("#step-replace")
    step.locator("input[name=replacement_serial]").fill("LT-1002")
    step.locator("input[name=courier]").fill("JNE")
    step.locator("input[name=waybill]").fill("JNE-RMA-77")
    step.locator("button").click()
    repair.locator("#warranty-message").wait_for()
    assert repair.locator("#claim-state").inner_text() == "Diganti: unit baru dikirim"

    # unrepairable, kept for the supplier; the supplier claim returns a credit note
    repair.locator("#unrepairable-form input[name=reason]").fill("Mainboard terbakar")
    repair.locator("#unrepairable-form button").click()
    repair.locator("#warranty-message").wait_for()
    repair.locator("#supplier-claim-form button").click()
    repair.wait_for_url(re.compile(r".*/warranty/supplier-claims/\d+\?done=supplier"))
    assert "ACME" in repair.locator("#sc-facts").inner_text()  # the supplier it was received from
    repair.locator("#sc-send button").click()
    repair.locator("#warranty-message").wait_for()
    answer = repair.locator("#sc-answer")
    answer.locator("select[name=answer]").select_option("credit_note")
    answer.locator("input[name=credit_number]").fill("CN-ACME-042")
    answer.locator("input[name=credit_amount]").fill("4.750.000")
    answer.locator("button").click()
    repair.locator("#warranty-message").wait_for()
    assert "Rp 4.750.000" in repair.locator("#sc-answer").inner_text()
    repair.locator("#sc-close button").click()
    repair.locator("#warranty-message").wait_for()
    repair.screenshot(path=str(ARTIFACTS / "warranty-supplier-claim.png"), full_page=True)

    # the reseller sees each step, and no amount
    shop.goto(claim_url)
    steps = shop.locator("#timeline").inner_text()
    for words in (
        "Klaim diajukan",
        "Barang diterima tim perbaikan",
        "Barang sudah diperiksa",
        "Diganti: unit baru dikirim",
        "Unit tidak dapat diperbaiki",
        "Diteruskan ke pemasok",
        "Pemasok sudah menjawab: nota kredit",
        "Urusan dengan pemasok selesai",
        "Klaim selesai",
    ):
        assert words in steps, words
    assert "4.750.000" not in shop.content() and "CN-ACME" not in shop.content()
    assert shop.locator("#claim-state").inner_text() == "Selesai"
    assert "LT-1002" in shop.locator("#replacement").inner_text()
    assert "JNE-RMA-77" in shop.locator("#return-waybill").inner_text()
    _no_sideways_scroll(shop)
    shop.screenshot(path=str(ARTIFACTS / "warranty-portal-claim-390.png"), full_page=True)

    # the serial's history shows all of it
    repair.goto(f"{base}/warranty/serials?serial=LT-1001")
    trace = repair.locator(".trace").first.inner_text()
    for words in (
        "PT Acme Indonesia",
        "GRN-",
        "PO-",
        f"#{order_id}",
        number,
        "SC-",
        "nota kredit",
        "LT-1002",
    ):
        assert words in trace, words
    events = [e.inner_text() for e in repair.locator(".trace .history li").all()]
    assert [e.split(" ", 1)[1] if e else e for e in events]  # every event is shown
    for words in (
        "Diterima ke stok",
        "Sudah dikirim",
        "Klaim garansi diajukan",
        "Kembali ke hub",
        "Diganti dengan unit lain",
        "Dikirim ke pemasok",
        "Pemasok sudah menjawab",
    ):
        assert any(words in e for e in events), (words, events)
    repair.screenshot(path=str(ARTIFACTS / "warranty-serial-history.png"), full_page=True)

    # finance finds the supplier's credit in payables
    with hub.app.state.hub.session_factory() as s:
        note = s.scalars(select(CreditNote)).one()
        assert (note.number, str(note.amount)) == ("CN-ACME-042", "4750000.00")
