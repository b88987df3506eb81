"""Customer care in Debian's Chromium on a real uvicorn, from an empty care desk: a reseller on
a phone (390 px, no sideways scroll) opens a repair-visit ticket with a photo; the technician
takes it, writes an internal note, answers and resolves it; the reseller reads the answer (not
the note) and says it is satisfied; the owner reads CSAT 100 for the month."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_warranty_browser import _no_sideways_scroll
from tests.e2e.test_web_browser import sign_in
from tests.hub.warranty.weblab import png

pytestmark = pytest.mark.browser


def test_a_ticket_from_the_phone_to_csat(live_hub, browser) -> None:  # ANN001
    hub, base = live_hub
    shop = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(shop, base, "reseller-r1")
    shop.goto(f"{base}/portal/care")
    assert "Belum ada tiket." in shop.locator("#my-tickets").inner_text()
    _no_sideways_scroll(shop)
    form = shop.locator("#ticket-form")
    form.locator("select[name=kind]").select_option("repair_visit")
    form.locator("select[name=category]").select_option("technical")
    form.locator("select[name=priority]").select_option("high")
    form.locator("input[name=subject]").fill("Printer kasir mati")
    form.locator("textarea[name=body]").fill("Printer di kasir 2 tidak menyala sejak pagi.")
    form.locator("#ticket-submit").click()
    shop.locator("#care-message").wait_for()
    ticket_url = shop.url.split("?")[0]
    number = shop.locator("h1").inner_text().split()[0]
    assert number.startswith("TIK-") and shop.locator("#ticket-state").inner_text() == "Terbuka"
    assert "Berjalan" in shop.locator("#timer-first_response").inner_text()
    shop.locator("#attach-form input[name=upload]").set_input_files(
        {"name": "printer.png", "mimeType": "image/png", "buffer": png()}
    )
    shop.locator("#attach-submit").click()
    shop.locator("#care-message").wait_for()
    assert "printer.png" in shop.locator("#attachments").inner_text()
    _no_sideways_scroll(shop)

    tech = browser.new_page()
    sign_in(tech, base, "repair")
    tech.goto(f"{base}/care")
    tech.locator("#tickets a", has_text=number).click()
    assert "Printer di kasir 2" in tech.locator("#messages").inner_text()
    tech.locator("#assign-form select[name=user_id]").select_option(label="repair")
    tech.locator("#assign-form button").click()
    tech.locator("#care-message").wait_for()
    assert tech.locator("#assignee").inner_text() == "repair"
    tech.locator("#reply-form textarea[name=body]").fill("Bawa adaptor cadangan.")
    tech.locator("#note-submit").click()
    tech.locator("#care-message").wait_for()
    tech.locator("#reply-form textarea[name=body]").fill("Teknisi kami datang besok pukul 09.00.")
    tech.locator("#reply-submit").click()
    tech.locator("#care-message").wait_for()
    assert "Tercapai" in tech.locator("#timer-first_response").inner_text()
    tech.locator("#reply-form textarea[name=body]").fill("Adaptor diganti, printer menyala.")
    tech.locator("#resolve-submit").click()
    tech.locator("#care-message").wait_for()
    assert tech.locator("#ticket-state").inner_text() == "Selesai"

    shop.goto(ticket_url)
    conversation = shop.locator("#messages").inner_text()
    assert "Teknisi kami datang besok pukul 09.00." in conversation
    assert "Adaptor diganti" in conversation and "Bawa adaptor cadangan" not in conversation
    shop.locator("#survey-yes").click()
    shop.locator("#care-message").wait_for()
    assert "puas" in shop.locator("#survey-answer").inner_text()
    _no_sideways_scroll(shop)
    shop.screenshot(path=str(ARTIFACTS / "care-portal-ticket-390.png"), full_page=True)

    owner = browser.new_page()
    sign_in(owner, base, "owner")
    owner.goto(f"{base}/care/csat")
    assert owner.locator("#csat-total").inner_text().startswith("100,0 %")
    assert "repair" in owner.locator("#csat-staff").inner_text()
