"""Quotes on the database: options, sorting, specific cards, policy, any destination code set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.shipping.models import PostalCode, RegionCode
from hub.shipping.quotes import QuotePolicy
from hub.shipping.ratecards import import_file
from hub.shipping.rules import Item
from hub.shipping.service import (
    add_warehouse,
    assign_territory,
    quote_shipment,
    resellers_for_region,
    territories_of,
)
from shared.errors import DataError
from tests.hub.shipping.helpers import GOOD

DAY = dt.date(2025, 3, 1)


@pytest.fixture
def cards(db: Session) -> Session:
    import_file(db, data=GOOD.encode(), filename="cards.csv")
    add_warehouse(db, "BDG", "Gudang Bandung", "32.73.01")
    return db


def test_options_sorted_by_price_and_speed(cards: Session) -> None:
    items = [Item(weight=D("1.31"), length=D(10), width=D(10), height=D(10))]
    by_price = quote_shipment(cards, origin="BDG", destination="35.78", items=items, day=DAY)
    fees = [o.total for o in by_price.options]
    assert fees == sorted(fees)
    reg = next(o for o in by_price.options if (o.courier, o.service) == ("JNE", "REG"))
    assert reg.chargeable_weight == 2 and reg.fee == 22000  # 1.31 kg bills 2 kg
    assert any("rounded 2.00" in line for line in reg.breakdown)
    jtr = next(o for o in by_price.options if o.service == "JTR")
    assert jtr.chargeable_weight == 10  # trucking minimum
    by_speed = quote_shipment(
        cards, origin="BDG", destination="35.78", items=items, day=DAY, sort="speed"
    )
    assert by_speed.options[0].service == "YES"


def test_district_card_beats_regency_card(cards: Session) -> None:
    items = [Item(weight=D(1))]
    to_district = quote_shipment(cards, origin="BDG", destination="35.78.01", items=items, day=DAY)
    reg = next(o for o in to_district.options if (o.courier, o.service) == ("JNE", "REG"))
    assert reg.price_per_kg == 12500
    oke = next(o for o in to_district.options if o.service == "OKE")
    assert oke.price_per_kg == 9000  # province-origin card, regency destination


def test_bps_and_postal_destinations_quote_like_kemendagri(cards: Session) -> None:
    items = [Item(weight=D(3))]
    district = "35.78.01"
    bps = cards.execute(
        select(RegionCode.code).where(
            RegionCode.scheme == "bps", RegionCode.region_kode == district
        )
    ).scalar_one()
    postal = (
        cards.execute(
            select(PostalCode.postal_code).where(PostalCode.region_kode.like(district + ".%"))
        )
        .scalars()
        .first()
    )
    fees = []
    for kw in (
        {"destination": district},
        {"destination": bps, "scheme": "bps"},
        {"postal_code": postal},
    ):
        result = quote_shipment(cards, origin="BDG", items=items, day=DAY, **kw)
        assert result.destination.ancestor(2) == "35.78"
        fees.append([(o.courier, o.service, o.fee) for o in result.options])
    assert fees[0] == fees[1]
    assert {f[:2] for f in fees[2]} == {f[:2] for f in fees[0]}


def test_free_shipping_insurance_and_surcharge(cards: Session) -> None:
    items = [Item(weight=D(2), quantity=2, value=D(600000))]
    policy = QuotePolicy(
        free_shipping_min_value=D(1000000),
        free_shipping_services=frozenset({("JNE", "REG")}),
        insurance_rate=D("0.002"),
        insurance_fixed=D(5000),
        surcharge=D(1000),
    )
    result = quote_shipment(
        cards, origin="BDG", destination="35.78", items=items, day=DAY, policy=policy, insured=True
    )
    reg = next(o for o in result.options if (o.courier, o.service) == ("JNE", "REG"))
    assert reg.fee == 0 and reg.shipping == 44000
    assert reg.insurance == 1200000 * D("0.002") + 5000 == 7400
    assert reg.total == 7400 + 1000
    tiki = next(o for o in result.options if o.courier == "TIKI")
    assert tiki.fee == tiki.shipping == 42000


def test_no_card_and_bad_input_say_what_to_do(cards: Session) -> None:
    result = quote_shipment(cards, origin="BDG", destination="11.01", items=[Item(D(1))], day=DAY)
    assert result.options == [] and "no rate card" in result.notices[0]
    with pytest.raises(DataError, match="unknown origin"):
        quote_shipment(cards, origin="NOPE", destination="35.78", items=[Item(D(1))])
    with pytest.raises(DataError, match="weight must be a number"):
        quote_shipment(cards, origin="BDG", destination="35.78", items=[Item(D(-1))])
    with pytest.raises(DataError, match="is a province"):
        quote_shipment(cards, origin="BDG", destination="35", items=[Item(D(1))])


def test_territories(db: Session) -> None:
    from hub.resellers.models import Reseller

    db.add(
        Reseller(
            id="toko-sby",
            name="Toko Surabaya",
            ssh_public_key="ssh-ed25519 AAAA x",
            signing_public_key="x" * 43,
        )
    )
    db.flush()
    assign_territory(db, "toko-sby", "35.78")
    assign_territory(db, "toko-sby", "35.78")  # idempotent
    assert territories_of(db, "toko-sby") == ["35.78"]
    assert resellers_for_region(db, "35.78.01.1001") == ["toko-sby"]
    assert resellers_for_region(db, "32.73") == []
