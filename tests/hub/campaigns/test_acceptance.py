"""Issue #22, acceptance 4: a campaign sends through a real SMTP server (aiosmtpd) and the
WhatsApp webhook stub, both on loopback, configured as an operator would (SYNCHUB_NOTIFY_*,
SYNCHUB_CAMPAIGN_*) and driven by the hub's own jobs. Opted-out contacts get nothing; a
retry after injected failures sends nothing twice.

Contacts are made through the back office's contact form; campaigns through the staff
pages; the opt-out through the link in the received message, without signing in.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.campaigns.models import Recipient
from hub.core.roles import Role
from hub.jobs import _campaigns, _notifications
from hub.notifications.models import Contact
from tests.hub.campaigns.kit import Mailbox, WhatsApp
from tests.hub.web.webkit import Seeded, audit_count, english, last_audit, seed

PUBLIC = "http://hub.example.test"
LINK = re.compile(re.escape(PUBLIC) + r"/campaigns/opt-out/(\S+)")
CONTACTS = [
    # reseller, name, e-mail, WhatsApp, opted in by e-mail / WhatsApp, roles, language
    ("r1", "Ani", "ani@toko1.test", "0811-1111-1111", True, True, ["marketing", "orders"], "id"),
    ("r1", "Budi", "budi@toko1.test", "0812 2222 2222", True, False, ["marketing"], "id"),
    ("r2", "Citra", "citra@toko2.test", "+62 813 3333 3333", True, True, ["marketing"], "en"),
    ("r2", "Dedi", "dedi@toko2.test", "", True, False, ["orders", "payments"], "id"),
]
ANI_WA, CITRA_WA = "+6281111111111", "+6281333333333"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    mailbox: Mailbox,
    whatsapp: WhatsApp,
    monkeypatch: pytest.MonkeyPatch,
) -> Seeded:
    monkeypatch.setenv("SYNCHUB_NOTIFY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SYNCHUB_NOTIFY_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("SYNCHUB_NOTIFY_SMTP_FROM", "promo@distributor.test")
    monkeypatch.setenv("SYNCHUB_NOTIFY_WHATSAPP_URL", f"http://127.0.0.1:{whatsapp.port}/send")
    monkeypatch.setenv("SYNCHUB_NOTIFY_WHATSAPP_TOKEN", "wa-token")
    monkeypatch.setenv("SYNCHUB_NOTIFY_MAX_ATTEMPTS", "1")  # a refusal fails at once
    monkeypatch.setenv("SYNCHUB_CAMPAIGN_PUBLIC_URL", PUBLIC)
    db: dict[str, str] = {}
    if request.param == "postgres":  # the job's row locks (SKIP LOCKED) on the real thing
        url = request.getfixturevalue("pg_database")
        db["database_url"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
    hub = seed(tmp_path, **db)
    marketing = english(hub, Role.MARKETING)
    for rid, name, mail, wa, by_mail, by_wa, roles, lang in CONTACTS:
        form = {
            "reseller": rid,
            "name": name,
            "email": mail,
            "whatsapp": wa,
            "roles": roles,
            "email_opt_in": "yes" if by_mail else "no",
            "whatsapp_opt_in": "yes" if by_wa else "no",
            "locale": lang,
        }
        assert marketing.post("/contacts/new", data=form).status_code == 303, name
    return hub


def run_jobs(hub: Seeded) -> None:
    """One tick of the scheduler: the campaigns job, then the notifications job."""
    factory, settings = hub.app.state.hub.session_factory, hub.app.state.hub.settings
    _campaigns(factory, settings)
    _notifications(factory, settings)


def new_campaign(client, name: str) -> int:  # type: ignore[no-untyped-def]
    r = client.post(
        "/campaigns/new",
        data={
            "name": name,
            "source": "message",
            "audience": "all",
            "channels": ["email", "whatsapp"],
            "subject_id": name + ": {name}, stok baru untuk {reseller}",
            "body_id": "Halo {name}, stok Desember sudah datang.",
            "subject_en": name + ": {name}, new stock for {reseller}",
            "body_en": "Hello {name}, December stock has arrived.",
        },
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def statuses(hub: Seeded, campaign_id: int, client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """'name/channel' -> the status and reason the campaign page shows."""
    page = client.get(f"/campaigns/{campaign_id}").text
    out = {}
    for row in re.findall(r'<tr id="recipient-\d+"[^>]*>(.*?)</tr>', page, re.S):
        row = re.sub(r"<small>.*?</small>", "", row)
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        out[f"{cells[1]}/{cells[2].split(':')[0]}"] = f"{cells[3]} {cells[4]}".strip()
    return out


def test_campaign_reaches_opted_in_contacts_once_and_never_the_opted_out(
    hub: Seeded,
    mailbox: Mailbox,
    whatsapp: WhatsApp,
) -> None:
    marketing = english(hub, Role.MARKETING)
    # --- campaign 1: everyone who takes promotions, by e-mail and WhatsApp
    before = audit_count(hub)
    first = new_campaign(marketing, "December stock")
    assert audit_count(hub) == before + 1 and last_audit(hub).action == "campaign.create"
    assert (
        "The recipients are listed when the campaign is sent."
        in marketing.get(f"/campaigns/{first}").text
    )
    assert marketing.post(f"/campaigns/{first}/send", data={"at": ""}).status_code == 303
    assert audit_count(hub) == before + 2 and last_audit(hub).action == "campaign.send"
    assert statuses(hub, first, marketing) == {
        "Ani/e-mail": "waiting for its turn",
        "Ani/WhatsApp": "waiting for its turn",
        "Budi/e-mail": "waiting for its turn",
        "Budi/WhatsApp": "skipped never agreed",
        "Citra/e-mail": "waiting for its turn",
        "Citra/WhatsApp": "waiting for its turn",
    }  # Dedi takes no promotions: not a recipient
    run_jobs(hub)
    assert sorted(m[0] for m in mailbox.received) == [
        "ani@toko1.test",
        "budi@toko1.test",
        "citra@toko2.test",
    ]
    assert sorted(m["to"] for m in whatsapp.received) == [ANI_WA, CITRA_WA]
    (citra_mail,) = mailbox.to("citra@toko2.test")
    assert citra_mail[1] == "December stock: Citra, new stock for Toko r2 <script>alert(1)</script>"
    assert "Hello Citra, December stock has arrived." in citra_mail[2]
    (ani_wa,) = whatsapp.to(ANI_WA)
    assert ani_wa["auth"] == "Bearer wa-token" and ani_wa["text"].startswith(
        "Halo Ani, stok Desember"
    )
    assert "Berhenti di sini: " + PUBLIC + "/campaigns/opt-out/" in ani_wa["text"]
    page = statuses(hub, first, marketing)
    assert page["Citra/e-mail"].startswith("sent") and page["Ani/WhatsApp"].startswith("sent")
    run_jobs(hub)  # a second tick finds nothing to send and closes the campaign
    assert len(mailbox.received) == 3 and len(whatsapp.received) == 2
    assert 'id="campaign-status">done<' in marketing.get(f"/campaigns/{first}").text

    # --- Citra stops e-mails through the link in hers: no sign-in, a signed token
    link = LINK.search(citra_mail[2])
    assert link is not None
    visitor = hub.client()
    path = f"/campaigns/opt-out/{link.group(1)}"
    shown = visitor.get(path)
    assert (
        shown.status_code == 200
        and "ci***@toko2.test" in shown.text
        and 'id="opt-out"' in shown.text
    )
    count = audit_count(hub)
    assert 'id="opted-out"' in visitor.post(path).text
    assert audit_count(hub) == count + 1 and last_audit(hub).action == "contact.opt_out"
    assert 'id="opted-out"' in visitor.post(path).text and audit_count(hub) == count + 1  # once
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert visitor.get(forged).status_code == 404 and visitor.post(forged).status_code == 404
    with hub.app.state.hub.session_factory() as s:
        citra = s.scalars(select(Contact).where(Contact.name == "Citra")).one()
        assert (citra.email_opt_in, citra.whatsapp_opt_in) == (False, True)

    # --- campaign 2, with injected failures: SMTP refuses Budi, the provider fails Ani's number
    mailbox.refuse.add("budi@toko1.test")
    whatsapp.fail.add(ANI_WA)
    second = new_campaign(marketing, "Year-end")
    assert marketing.post(f"/campaigns/{second}/send", data={"at": ""}).status_code == 303
    run_jobs(hub)
    page = statuses(hub, second, marketing)
    assert page["Citra/e-mail"] == "skipped opted out"
    assert (
        page["Budi/e-mail"].startswith("failed")
        and "(550, b'5.1.1 mailbox unavailable (injected)')" in page["Budi/e-mail"]
    )
    assert page["Ani/WhatsApp"].startswith("failed") and "500" in page["Ani/WhatsApp"]
    assert page["Ani/e-mail"].startswith("sent") and page["Citra/WhatsApp"].startswith("sent")
    assert 'id="retry">Retry the 2 failed<' in marketing.get(f"/campaigns/{second}").text

    # --- the channels work again; the retry sends to those two only
    mailbox.refuse.clear()
    whatsapp.fail.clear()
    count = audit_count(hub)
    assert marketing.post(f"/campaigns/{second}/retry").status_code == 303
    assert audit_count(hub) == count + 1 and last_audit(hub).action == "campaign.retry"
    run_jobs(hub)
    run_jobs(hub)
    assert marketing.post(f"/campaigns/{second}/retry").status_code == 409  # nothing failed now
    page = statuses(hub, second, marketing)
    assert all(v.startswith(("sent", "skipped")) for v in page.values()), page

    # Each contact got each campaign at most once per channel, opted-out Citra no second e-mail.
    mails = Counter((to, subject) for to, subject, _ in mailbox.received)
    assert mailbox.to("citra@toko2.test") == [citra_mail]
    assert sorted(mails.values()) == [1] * len(mails) and len(mails) == 5  # 3 + Ani, Budi
    texts = Counter((m["to"], m["subject"]) for m in whatsapp.received)
    assert sorted(texts.values()) == [1] * len(texts) and len(texts) == 4  # 2 + Ani, Citra
    with hub.app.state.hub.session_factory() as s:
        queued = s.scalars(select(Recipient).where(Recipient.campaign_id == second)).all()
        assert len({(r.contact_id, r.channel) for r in queued}) == len(queued) == 6


def test_who_may_see_and_send(hub: Seeded) -> None:
    assert hub.client(Role.FINANCE).get("/campaigns").status_code == 403
    ops = english(hub, Role.OPERATIONS)
    assert (
        ops.get("/campaigns").status_code == 200
        and 'id="new-campaign"' not in ops.get("/campaigns").text
    )
    assert ops.post("/campaigns/new", data={"name": "x"}).status_code == 403
    assert hub.client(Role.RESELLER).get("/api/v1/campaigns").status_code == 403
    owner = english(hub, Role.OWNER)
    assert 'id="new-campaign"' in owner.get("/campaigns").text
    # publishing offers: the offers page leads those who may send to an offers campaign
    assert 'href="/campaigns/new?source=offers"' in english(hub, Role.MARKETING).get("/offers").text
    assert 'href="/campaigns/new?source=offers"' not in ops.get("/offers").text
