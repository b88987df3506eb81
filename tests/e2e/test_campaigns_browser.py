"""A campaign in the browser, as marketing does it: a contact through the back office's form,
a campaign from a free message, sent; the e-mail arrives at a real SMTP server on
loopback; the contact opts out through the link in it; every page fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.jobs import _campaigns, _notifications
from tests.e2e.conftest import ARTIFACTS
from tests.hub.campaigns.kit import Mailbox, mailbox  # noqa: F401  (fixture)
from tests.hub.web.live import serving
from tests.hub.web.webkit import PASSWORD, Seeded, seed


@pytest.fixture
def hub_at(
    tmp_path: Path,
    mailbox: Mailbox,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Seeded, str]]:
    monkeypatch.setenv("SYNCHUB_NOTIFY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SYNCHUB_NOTIFY_SMTP_PORT", str(mailbox.port))
    hub = seed(tmp_path)
    with serving(hub.app) as url:
        yield hub, url


def test_marketing_sends_a_campaign_and_the_contact_opts_out(
    hub_at: tuple[Seeded, str],
    browser,
    mailbox: Mailbox,  # noqa: F811
) -> None:
    hub, base = hub_at
    page = browser.new_page(locale="id-ID")
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "marketing")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()

    # A contact who agreed to e-mail, through the back office's contact form.
    page.goto(f"{base}/contacts/new")
    page.fill("#f-reseller", "r1")
    page.fill("#f-name", "Sari")
    page.fill("#f-email", "sari@toko1.test")
    page.check("#f-email_opt_in")
    page.click("#save")
    page.wait_for_load_state()

    # A campaign: the built-in text is there, in both languages; e-mail only.
    page.goto(f"{base}/campaigns")
    page.click("#new-campaign")
    page.wait_for_url(f"{base}/campaigns/new")
    assert page.input_value("#f-subject_id") == "Kabar untuk {reseller}"
    page.fill("#f-name", "Stok Desember")
    page.uncheck("input[name=channels][value=whatsapp]")
    page.fill("#f-body_id", "Halo {name}, stok Desember sudah datang.")
    page.fill("#f-body_en", "Hello {name}, December stock has arrived.")
    page.click("#save")
    page.wait_for_url(re.compile(re.escape(base) + r"/campaigns/\d+$"))
    campaign_url = page.url
    page.click("#send")
    page.wait_for_load_state()
    assert page.locator("#campaign-status").inner_text() == "sedang dikirim"
    assert "menunggu giliran" in page.locator("#recipients").inner_text()

    factory, settings = hub.app.state.hub.session_factory, hub.app.state.hub.settings
    # the jobs process, configured with the address this hub is served at (a free port)
    settings = settings.model_copy(update={"campaign_public_url": base})
    _campaigns(factory, settings)
    _notifications(factory, settings)
    (mail,) = mailbox.to("sari@toko1.test")
    assert "Halo Sari, stok Desember sudah datang." in mail[2]
    page.goto(campaign_url)
    assert "terkirim" in page.locator("#recipients").inner_text()

    # Sari opens the link in her e-mail on her phone, no sign-in.
    link = re.search(re.escape(base) + r"/campaigns/opt-out/\S+", mail[2])
    assert link is not None
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(link.group(0))
    assert "sa***@toko1.test" in phone.inner_text("body")
    phone.click("#opt-out")
    phone.locator("#opted-out").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    page.set_viewport_size({"width": 390, "height": 844})
    for path in (
        "/campaigns",
        "/campaigns/new",
        "/campaigns/new?source=offers",
        campaign_url[len(base) :],
    ):
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign.png"), full_page=True)
