"""Stored phrases (offer reasons, price rules) are read in the reader's language, numbers exact."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from hub.catalog.pricing import TIER_WORDS, _promo_words
from hub.core.i18n import Formatter, catalogue, parse_decimal
from hub.core.phrases import Phrase, english, moment, money, number
from hub.offers.compute import (
    HubProduct,
    PeerSales,
    Position,
    Thresholds,
    clearance,
    range_offers,
    replenishment,
)

T = Thresholds()
AT = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.timezone.utc)  # 00:00 on 2 March in WIB


def _every_offer_phrase() -> list[Phrase]:
    """Each wording an offer's reason can take: stock, stock-out, hub-limited, range, and the
    three kinds of clearance."""
    hub = {
        1: HubProduct(1, "A", "Alpha", pack_size=12, available=1000),
        2: HubProduct(2, "B", "Bravo", pack_size=6, available=10),
        3: HubProduct(3, "C", "Charlie", available=500, discontinued=True),
        4: HubProduct(4, "D", "Delta", available=9000),
        5: HubProduct(5, "E", "Echo", available=700),
    }
    drafts = replenishment(
        [Position(1, sold=56, on_hand=10), Position(2, sold=84, on_hand=-4)], hub, T
    )
    drafts += range_offers(set(), [PeerSales(1, resellers=3, sold=90)], hub, "Jawa Barat", T)
    positions = {pid: Position(pid, sold=28) for pid in (3, 4, 5)}
    drafts += clearance(positions, {3: None, 4: Decimal(1000), 5: None}, hub, T)
    return [p for d in drafts for p in d.phrases]


def _every_price_phrase() -> list[Phrase]:
    promo = SimpleNamespace(
        name="Lebaran",
        id=7,
        valid_from=AT,
        valid_to=AT + dt.timedelta(days=7),
        fixed_price=None,
        percent_off=Decimal("10.00"),
    )
    percent = _promo_words(promo, Decimal("1000.00"), Decimal("900.00"))  # type: ignore[arg-type]
    promo.fixed_price, promo.percent_off = Decimal("850"), None
    fixed = _promo_words(promo, Decimal("1000.00"), Decimal("850.00"))  # type: ignore[arg-type]
    breaks = [
        ("quantity break from {units} units: {base}", {}),
        ("base price (from 1 unit): {base}", {}),
    ]
    return [(t, {}) for t in TIER_WORDS.values()] + breaks + [percent, fixed]


def test_every_wording_of_a_reason_or_a_price_rule_has_its_indonesian_text() -> None:
    offer, price = _every_offer_phrase(), _every_price_phrase()
    templates = {t for t, _ in offer + price}
    assert len({t for t, _ in offer}) == 11 and len(templates) == 18  # every branch reached
    missing = sorted(t for t in templates if not catalogue("id").get(t))
    assert missing == []


def test_a_reason_reads_in_each_language_with_its_numbers_in_that_locale() -> None:
    reason = _every_offer_phrase()[3:6]  # Alpha (after the stock-out): 2.0/day, cover 5.0 days
    assert english(reason).startswith("You sold 56 of Alpha in the last 28 days (2.0/day);")
    indonesian = Formatter("id").phrases(reason)
    assert indonesian.startswith("Anda menjual 56 Alpha dalam 28 hari terakhir (2,0/hari);")
    assert "stok 10 cukup untuk 5,0 hari" in indonesian and "Tambahan 50,0" in indonesian
    assert Formatter("en").phrases(reason) == english(reason)  # the ids are the English text


def test_a_promotion_rule_shows_rupiah_and_the_readers_time() -> None:
    percent = _every_price_phrase()[-2]
    assert "10.00% off 1000.00, valid 2026-03-01 17:00 UTC" in english([percent])
    shown = Formatter("id").phrases([percent])
    assert "diskon 10,00% dari Rp 1.000" in shown and "2 Mar 2026 00.00" in shown
    assert "→ Rp 900; menggantikan" in shown


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2),
    st.sampled_from(["id", "en"]),
)
def test_a_stored_number_reads_back_as_the_same_number(value: Decimal, lang: str) -> None:
    shown = Formatter(lang).phrases([("{x}", {"x": number(value)})])
    assert parse_decimal(shown, lang) == value
    assert english([("{x}", {"x": number(value)})]) == str(value)


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("1e12"), places=2))
def test_a_stored_amount_reads_as_rupiah_with_its_cents_when_it_has_some(value: Decimal) -> None:
    shown = Formatter("id").phrases([("{x}", {"x": money(value)})])
    assert shown.startswith("Rp ")
    assert parse_decimal(shown.removeprefix("Rp "), "id") == value


def test_an_instant_is_stored_in_utc_whatever_zone_it_came_in() -> None:
    wib = dt.timezone(dt.timedelta(hours=7))
    assert moment(AT.astimezone(wib)) == moment(AT) == {"at": "2026-03-01T17:00:00+00:00"}


def test_a_count_of_one_reads_in_the_singular_in_english() -> None:
    en, id_ = Formatter("en"), Formatter("id")
    assert en.gettext("{n} products", n="1") == "1 product"
    assert en.gettext("{n} products", n="1.000") == "1.000 products"
    assert en.gettext("{n} records", n="1+") == "1+ records"  # a capped count is not one
    assert id_.gettext("{n} products", n="1") == id_.gettext("{n} products", n="2").replace(
        "2", "1"
    )
    singulars = {k: v for k, v in catalogue("en").items() if k.endswith("|one")}
    assert len(singulars) >= 15
    for key, one in singulars.items():  # the same values as the plural, and an id for it
        base = key.removesuffix("|one")
        assert sorted(re.findall(r"\{\w+\}", one)) == sorted(re.findall(r"\{\w+\}", base)), key
        assert catalogue("id").get(base), base
