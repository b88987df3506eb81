"""Birthday and anniversary promotions: a rule, a contact's day, a promotion for that reseller."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.catalog.celebrations import issue_for
from hub.catalog.models import Product, Promotion
from hub.catalog.pricing import price_for
from hub.core.i18n import DISPLAY_TZ
from hub.core.roles import Role
from hub.notifications.models import OutboxMessage
from tests.hub.catalog.conftest import CATALOG_CSV
from tests.hub.web.webkit import Seeded, seed

DAY = dt.date(2027, 3, 14)


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    hub = seed(tmp_path)
    owner = hub.client(Role.OWNER)
    owner.post(
        "/api/v1/catalog/import?preview=false",
        files={"file": ("c.csv", CATALOG_CSV.read_bytes(), "text/csv")},
    )
    for path, body in (
        ("/api/v1/price-lists", {"name": "Umum"}),
        (
            "/api/v1/price-list-items",
            {"price_list": "Umum", "sku": "NW-0001", "unit_price": "200000"},
        ),
        ("/api/v1/reseller-groups", {"name": "Setia"}),
        (
            "/api/v1/promotions",
            {
                "name": "Ulang tahun",
                "sku": "NW-0001",
                "kind": "birthday",
                "percent_off": "20",
                "group": "Setia",
                "valid_from": "2027-01-01",
                "valid_until": "2027-12-31",
                "days": 3,
            },
        ),
        (
            "/api/v1/contacts",
            {
                "reseller": "r1",
                "name": "Sari",
                "email": "sari@toko.test",
                "email_opt_in": True,
                "birthday": "1990-03-14",
            },
        ),
        (
            "/api/v1/contacts",
            {
                "reseller": "r1",
                "name": "Andi",
                "whatsapp": "0812 1111 2222",
                "whatsapp_opt_in": True,
                "birthday": "1985-03-14",
                "roles": ["orders"],
            },
        ),
        (
            "/api/v1/contacts",
            {
                "reseller": "r2",
                "name": "Rina",
                "email": "rina@toko.test",
                "email_opt_in": True,
                "birthday": "1990-03-14",
            },
        ),
    ):
        r = owner.post(path, json=body)
        assert r.status_code == 201, (path, r.text)
    r = owner.patch("/api/v1/resellers/r1/profile", json={"groups": ["Setia"]})
    assert r.status_code == 200, r.text
    return hub


def price(hub: Seeded, reseller: str, at: dt.datetime):  # ANN201
    with hub.app.state.hub.session_factory() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == "NW-0001"))
        return price_for(s, reseller, pid, 1, at)


def test_a_contacts_birthday_gives_its_reseller_a_promotion_for_the_rules_days(hub: Seeded) -> None:
    with hub.app.state.hub.session_factory() as s:
        report = issue_for(s, DAY)
        s.commit()
    assert report.issued == 2  # Sari and Andi of r1 (in the group); Rina's r2 is not
    morning = dt.datetime(2027, 3, 14, 8, tzinfo=DISPLAY_TZ)
    assert price(hub, "r1", morning).unit_price == Decimal("160000.00")
    assert price(hub, "r2", morning).promotion_id is None
    last = dt.datetime(2027, 3, 16, 23, 59, tzinfo=DISPLAY_TZ)
    assert price(hub, "r1", last).promotion_id is not None
    assert price(hub, "r1", last + dt.timedelta(minutes=1)).promotion_id is None
    with hub.app.state.hub.session_factory() as s:
        told = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "birthday_promotion")
        ).all()
        assert [(m.recipient, m.payload["name"]) for m in told] == [
            ("sari@toko.test", "Sari")
        ]  # Andi: no promotions
        again = issue_for(s, DAY)
    assert again.issued == 0  # a day is issued once


def test_a_29_february_birthday_is_kept_on_28_february(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    owner.post(
        "/api/v1/contacts", json={"reseller": "r1", "name": "Leap", "birthday": "2000-02-29"}
    )
    with hub.app.state.hub.session_factory() as s:
        assert issue_for(s, dt.date(2027, 2, 28)).issued == 1
        assert issue_for(s, dt.date(2028, 2, 28)).issued == 0  # 2028 has a 29th
        names = s.scalars(select(Promotion.name).where(Promotion.parent_id.is_not(None))).all()
    assert names == ["Ulang tahun: Leap"]
