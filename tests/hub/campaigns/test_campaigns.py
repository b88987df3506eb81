"""Campaign rules beyond the acceptance journey: the rate per channel, a scheduled start,
cancelling, a promotion's own audience (and celebration rules left to their job), offers
told to the resellers that have them, bad input kept on the form, the API, and every
page in Indonesian."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.campaigns import service, views
from hub.campaigns.models import Recipient
from hub.catalog.models import Product, Promotion, ResellerGroup, ResellerGroupMember
from hub.core import i18n
from hub.core.db import transaction, utcnow
from hub.core.roles import Principal, Role
from hub.masterdata.fields import Invalid
from hub.notifications.models import Contact, OutboxMessage
from hub.offers.models import Offer
from tests.hub.web.webkit import Seeded, audit_count, english, last_audit, seed

SECRET = "k" * 32
MARKETING = Principal(role=Role.MARKETING, username="marketing")
TEXT = {
    "subject_id": "Untuk {reseller}",
    "body_id": "Halo {name}",
    "subject_en": "For {reseller}",
    "body_en": "Hello {name}",
}


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    hub = seed(tmp_path)
    with transaction(hub.app.state.hub.session_factory) as s:
        for rid in ("r1", "r2"):
            for n in range(3):
                s.add(
                    Contact(
                        reseller_id=rid,
                        name=f"{rid}-{n}",
                        email=f"{rid}-{n}@shop.test",
                        whatsapp=f"+62812000{n}{rid[1]}",
                        roles=",marketing,",
                        email_opt_in=True,
                        whatsapp_opt_in=True,
                        locale="id",
                        active=True,
                    )
                )
    return hub


def _campaign(s, **kw):  # type: ignore[no-untyped-def]
    data = {"name": "c", "source": "message", "audience": "all", "channels": ["email", "whatsapp"]}
    return service.create(s, MARKETING, {**data, **TEXT, **kw})


def test_the_rate_holds_per_channel_per_minute(hub: Seeded) -> None:
    factory = hub.app.state.hub.session_factory
    t0 = utcnow()
    with transaction(factory) as s:
        c = _campaign(s)
        service.send(s, MARKETING, c.id, now=t0)
        cid = c.id
    cfg = 4  # per channel per minute
    ticks = [t0, t0 + dt.timedelta(seconds=30), t0 + dt.timedelta(seconds=61)]
    queued = []
    for now in ticks:
        with transaction(factory) as s:
            queued.append(service.run_due(s, cfg, SECRET, "http://hub.test", now).queued)
    # 6 contacts × 2 channels: 4 per channel in the first minute, none more within it, the rest after
    assert queued == [8, 0, 4]
    with factory() as s:
        assert views.counts(s, cid)["queued"] == 12
        per = {
            ch: s.scalar(select(OutboxMessage.id).where(OutboxMessage.channel == ch))
            for ch in ("email", "whatsapp")
        }
        assert all(per.values())


def test_a_scheduled_campaign_starts_at_its_time_and_a_cancel_skips_who_waits(hub: Seeded) -> None:
    factory = hub.app.state.hub.session_factory
    t0 = utcnow()
    with transaction(factory) as s:
        c = _campaign(s, channels=["email"])
        service.send(s, MARKETING, c.id, at=t0 + dt.timedelta(hours=2), now=t0)
        cid = c.id
        assert c.status == "scheduled"
    cfg = 2
    with transaction(factory) as s:
        assert (
            service.run_due(s, cfg, SECRET, "http://hub.test", t0 + dt.timedelta(hours=1)).started
            == 0
        )
    with transaction(factory) as s:
        report = service.run_due(s, cfg, SECRET, "http://hub.test", t0 + dt.timedelta(hours=2))
        assert (report.started, report.queued) == (1, 2)
    assert last_audit(hub).action == "campaign.start"
    count = audit_count(hub)
    with transaction(factory) as s:
        service.cancel(s, MARKETING, cid)
    assert audit_count(hub) == count + 1 and last_audit(hub).action == "campaign.cancel"
    with factory() as s:
        assert views.counts(s, cid) == {
            "sent": 0,
            "failed": 0,
            "queued": 2,
            "waiting": 0,
            "skipped": 4,
        }
        with pytest.raises(Exception, match="nothing to cancel"):
            service.cancel(s, MARKETING, cid)
        with pytest.raises(Exception, match="only a draft or a scheduled campaign"):
            service.send(s, MARKETING, cid)


def test_a_promotion_reaches_its_own_group_and_celebrations_stay_with_their_job(
    hub: Seeded,
) -> None:
    factory = hub.app.state.hub.session_factory
    now = utcnow()
    with transaction(factory) as s:
        product = Product(sku="LPT-1", name="Laptop 14", list_price=Decimal("9000000"))
        group = ResellerGroup(name="Java")
        s.add_all([product, group])
        s.flush()
        s.add(ResellerGroupMember(group_id=group.id, reseller_id="r2"))
        common = {
            "product_id": product.id,
            "valid_from": now,
            "valid_to": now + dt.timedelta(days=7),
        }
        promo = Promotion(
            name="Desember",
            group_id=group.id,
            percent_off=Decimal("12.5"),
            kind="standard",
            **common,
        )
        rule = Promotion(name="Ultah", percent_off=Decimal("5"), kind="birthday", **common)
        s.add_all([promo, rule])
        s.flush()
        with pytest.raises(Invalid) as bad:
            _campaign(s, source="promotion", promotion_id=rule.id)
        assert "celebrations job" in bad.value.fields["promotion_id"][0]
        c = _campaign(
            s,
            source="promotion",
            promotion_id=promo.id,
            audience="all",  # the promotion's own audience wins
            channels=["email"],
            body_id="Halo {name}: {promotion} sampai {until}",
        )
        service.send(s, MARKETING, c.id, now=now)
        service.run_due(s, 30, SECRET, "http://hub.test", now)
        bodies = [m.payload["body"] for m in s.scalars(select(OutboxMessage))]
    with transaction(factory) as s:  # a promotion removed before its campaign goes: no one told
        late = _campaign(s, source="promotion", promotion_id=promo.id, channels=["email"])
        s.delete(s.get(Promotion, promo.id))
        s.flush()
        service.send(s, MARKETING, late.id, now=now)
        assert views.counts(s, late.id) == dict.fromkeys(views.SHOWN, 0)
    assert len(bodies) == 3 and all("r2-" in b for b in bodies)
    assert "LPT-1 Laptop 14 12,5%" in bodies[0]
    assert "/campaigns/opt-out/" in bodies[0]


def test_offers_go_to_the_resellers_that_have_them_each_its_own(hub: Seeded) -> None:
    factory = hub.app.state.hub.session_factory
    now = utcnow()
    with transaction(factory) as s:
        product = Product(sku="SSD-1", name="SSD 1TB", list_price=Decimal("1500000"))
        s.add(product)
        s.flush()
        s.add(
            Offer(
                reseller_id="r1",
                product_id=product.id,
                kind="replenishment",
                status="published",
                quantity=12,
                unit_price=Decimal("1446476.00"),
                price_rule="list",
                numbers={},
                reason="low stock",
                valid_from=now,
                valid_to=now + dt.timedelta(days=3),
                published_at=now,
            )
        )
        c = _campaign(
            s, source="offers", channels=["whatsapp"], body_id="{count} penawaran:\n{offers}"
        )
        service.send(s, MARKETING, c.id, now=now)
        service.run_due(s, 30, SECRET, "http://hub.test", now)
        rows = s.scalars(select(Recipient)).all()
        bodies = [m.payload["body"] for m in s.scalars(select(OutboxMessage))]
    assert {r.reseller_id for r in rows} == {"r1"} and len(rows) == 3
    assert bodies[0].startswith("1 penawaran:\n- SSD-1 SSD 1TB: 12 × Rp 1.446.476")


def test_a_wrong_form_keeps_what_was_typed_and_says_what_is_wrong(hub: Seeded) -> None:
    marketing = english(hub, Role.MARKETING)
    count = audit_count(hub)
    r = marketing.post(
        "/campaigns/new",
        data={
            "name": "Promo",
            "source": "message",
            "audience": "resellers",
            "resellers": "r1, nope",
            "subject_id": "Untuk {nmae}",
            "body_id": "Halo {name",
            "subject_en": "For {reseller}",
            "body_en": "",
        },
    )
    assert r.status_code == 422 and audit_count(hub) == count
    for text in (
        "no reseller with id nope",
        "unknown fields nmae: use name, reseller",
        "a brace is left open or unpaired",
        "choose at least one channel",
        "fill this in",
        'value="r1, nope"',
        "Untuk {nmae}",
    ):
        assert text in r.text, text


def test_the_api_follows_the_same_rules(hub: Seeded) -> None:
    marketing = hub.client(Role.MARKETING)
    body = {
        "name": "API",
        "audience": "resellers",
        "resellers": ["r1"],
        "channels": ["email"],
        **TEXT,
    }
    made = marketing.post("/api/v1/campaigns", json=body)
    assert made.status_code == 201 and made.json()["status"] == "draft"
    cid = made.json()["id"]
    sent = marketing.post(f"/api/v1/campaigns/{cid}/send", json={})
    assert sent.json()["status"] == "sending" and sent.json()["counts"]["waiting"] == 3
    assert marketing.post(f"/api/v1/campaigns/{cid}/send", json={}).status_code == 409
    assert marketing.post(f"/api/v1/campaigns/{cid}/retry").status_code == 409
    listed = marketing.get(f"/api/v1/campaigns/{cid}/recipients?status=waiting").json()
    assert [r["address"] for r in listed] == [f"r1-{n}@shop.test" for n in range(3)]
    bad = marketing.post("/api/v1/campaigns", json={**body, "subject_en": "{x}"})
    assert bad.status_code == 422 and "subject_en" in bad.text
    assert hub.client(Role.OPERATIONS).post("/api/v1/campaigns", json=body).status_code == 403


def test_every_campaign_page_in_indonesian(hub: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = i18n.catalogue("id")
    missing: set[str] = set()
    original = i18n.Formatter.gettext

    def spy(self: i18n.Formatter, text: str, **values: object) -> str:
        if self.lang == "id" and text not in catalogue:
            missing.add(text)
        return original(self, text, **values)

    monkeypatch.setattr(i18n.Formatter, "gettext", spy)
    factory = hub.app.state.hub.session_factory
    with transaction(factory) as s:
        c = _campaign(s, channels=["email"])
        service.send(s, MARKETING, c.id)
        service.run_due(s, 30, SECRET, "http://hub.test")
        s.execute(select(Contact)).first()
        r = s.scalars(select(Recipient)).first()
        assert r is not None
        link = service.opt_out_url("", hub.app.state.hub.settings.secret_key.get_secret_value(), r)
    owner = hub.client(Role.OWNER)
    for path in (
        "/campaigns",
        "/campaigns/new",
        "/campaigns/new?source=promotion",
        "/campaigns/new?source=offers",
        f"/campaigns/{c.id}",
        f"/campaigns/{c.id}?status=queued",
    ):
        assert owner.get(path).status_code == 200, path
    visitor = hub.client()
    assert visitor.get(link).status_code == 200
    assert "Selesai" in visitor.post(link).text
    assert visitor.get("/campaigns/opt-out/nonsense").status_code == 404
    assert not missing, sorted(missing)


def test_sending_at_a_time_is_in_wib_and_a_wrong_time_is_said(hub: Seeded) -> None:
    marketing = english(hub, Role.MARKETING)
    with transaction(hub.app.state.hub.session_factory) as s:
        cid = _campaign(s).id
    count = audit_count(hub)
    bad = marketing.post(f"/campaigns/{cid}/send", data={"at": "besok pagi"})
    assert bad.status_code == 422 and "write a date and time like 2026-12-24 09:00" in bad.text
    assert audit_count(hub) == count
    assert (
        marketing.post(f"/campaigns/{cid}/send", data={"at": "2030-01-02T09:00"}).status_code == 303
    )
    with hub.app.state.hub.session_factory() as s:
        c = service.get(s, cid)
        assert c.status == "scheduled"
        assert c.scheduled_at == dt.datetime(2030, 1, 2, 2, 0, tzinfo=dt.timezone.utc)  # 09:00 WIB
    assert audit_count(hub) == count + 1


def test_a_public_address_that_is_not_a_url_is_refused_at_start(tmp_path: Path) -> None:
    from hub.core.settings import HubSettings

    bad = HubSettings(home=tmp_path, environment="test", campaign_public_url="hub.example.co.id")
    assert (
        "SYNCHUB_CAMPAIGN_PUBLIC_URL",
        "'hub.example.co.id' is not an http(s) URL",
    ) in bad.problems()
    good = HubSettings(
        home=tmp_path, environment="test", campaign_public_url="https://hub.example.co.id/"
    )
    assert service.public_url(good) == "https://hub.example.co.id"
    assert service.public_url(HubSettings(home=tmp_path, http_port=8080)) == "http://127.0.0.1:8080"


def test_the_command_line_lists_and_runs_the_job(
    hub: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from click.testing import CliRunner

    from hub.cli import cli as synchub
    from tests.hub.web.webkit import cli_env

    cli_env(hub, monkeypatch)
    runner = CliRunner()
    assert "no campaign yet" in runner.invoke(synchub, ["campaigns", "list"]).output
    with transaction(hub.app.state.hub.session_factory) as s:
        c = _campaign(s, name="Lebaran", channels=["email"])
        service.send(s, MARKETING, c.id)
    ran = runner.invoke(synchub, ["campaigns", "run"])
    assert ran.exit_code == 0, ran.output
    assert "0 campaign(s) started, 6 message(s) queued" in ran.output
    assert "set SYNCHUB_CAMPAIGN_PUBLIC_URL" in ran.output
    listed = json.loads(runner.invoke(synchub, ["campaigns", "list", "--json"]).output)
    assert listed[0]["name"] == "Lebaran" and listed[0]["queued"] == 6
