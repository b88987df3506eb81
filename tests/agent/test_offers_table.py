"""`syncagent offers --write-table`: verified offers upserted into the reseller's own database, prices exact."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.cli import main
from agent.config import check_config
from agent.offers_table import OffersTableError, latest_offers, offers_table, write_offers
from shared.errors import SealTampered
from shared.messages import Offers, offers_filename, sign_message

AT = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.timezone.utc)


def item(oid: int, price: str, **kw: object) -> dict:
    return {
        "offer_id": oid,
        "kind": "clearance",
        "sku": f"SKU-{oid}",
        "ean": None,
        "name": f"Produk {oid}",
        "quantity": 3,
        "unit_price": price,
        "price_rule": "list-10%",
        "reason": "",
        "numbers": {},
        "valid_to": "2025-04-01T00:00:00+00:00",
        **kw,
    }


def read(url: str, table: str) -> dict[int, tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            t = offers_table(table, sa.MetaData())
            return {
                r.offer_id: (r.unit_price, r.quantity, r.source_file)
                for r in c.execute(sa.select(t))
            }
    finally:
        engine.dispose()


def test_create_then_upsert_by_offer_id(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    r = write_offers(url, "hub_offers", [item(1, "99999.95"), item(2, "0.0001")], "offers-a.json")
    assert (r.inserted, r.updated) == (2, 0)
    r = write_offers(
        url,
        "hub_offers",
        [item(2, "12345678901234.5678", quantity=7), item(3, "1")],
        "offers-b.json",
    )
    assert (r.inserted, r.updated) == (1, 1)
    rows = read(url, "hub_offers")
    assert rows == {
        1: (Decimal("99999.95"), 3, "offers-a.json"),
        2: (Decimal("12345678901234.5678"), 7, "offers-b.json"),
        3: (Decimal("1"), 3, "offers-b.json"),
    }


@settings(max_examples=40, deadline=None)
@given(
    st.decimals(
        min_value=Decimal("-99999999999999.9999"),
        max_value=Decimal("99999999999999.9999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_prices_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory, price: Decimal
) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('p') / 'shop.db'}"
    write_offers(url, "o", [item(1, str(price))], "offers-a.json")
    assert read(url, "o")[1][0] == price


def test_refuses_to_round_or_to_use_a_foreign_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with pytest.raises(
        OffersTableError, match=r"offer 1: unit_price 1\.00001 does not fit NUMERIC\(18,4\)"
    ):
        write_offers(url, "o", [item(1, "1.00001")], "f")
    with pytest.raises(OffersTableError, match="not a decimal"):
        write_offers(url, "o", [item(1, 1.5)], "f")  # a float price never gets in
    with sqlite3.connect(tmp_path / "shop.db") as c:
        c.execute("CREATE TABLE products (offer_id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(OffersTableError, match="products exists but lacks column"):
        write_offers(url, "products", [item(1, "1")], "f")
    with pytest.raises(OffersTableError, match="table name"):
        write_offers(url, "x; drop table products", [item(1, "1")], "f")


def _offers_file(inbox: Path, signing_private: object, items: list[dict]) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    doc = Offers(reseller_id="toko-test", generated_at=AT, offers=items)
    path = inbox / offers_filename(AT)
    path.write_bytes(sign_message(doc.to_payload(), signing_private))
    return path


def test_cli_writes_the_verified_offers(make_agent, hub_keys, tmp_path: Path, monkeypatch) -> None:
    a = make_agent()
    path = _offers_file(a.dir / "state" / "inbox", hub_keys.signing_private, [item(5, "150000.50")])
    url = f"sqlite:///{tmp_path / 'reseller.db'}"
    res = CliRunner().invoke(
        main,
        [
            "-c",
            str(a.config_path),
            "offers",
            "--no-fetch",
            "--write-table",
            "hub_offers",
            "--url",
            url,
        ],
    )
    assert res.exit_code == 0, res.output
    assert "hub_offers: 1 offer(s) added, 0 updated" in res.output
    assert read(url, "hub_offers") == {5: (Decimal("150000.50"), 3, path.name)}
    # no URL anywhere: a clear config error, exit 2
    res = CliRunner().invoke(
        main, ["-c", str(a.config_path), "offers", "--no-fetch", "--write-table", "t"]
    )
    assert res.exit_code == 2 and "[offers].write_url" in res.output
    # a changed offers file is not written
    path.write_bytes(path.read_bytes().replace(b"150000.50", b"1.00"))
    with pytest.raises(SealTampered):
        latest_offers(path.parent, hub_keys.signing_b64)


def test_config_keeps_the_export_user_select_only(make_agent) -> None:
    a = make_agent(
        url="mysql://shopreader@127.0.0.1/toko",
        extra='\n[offers]\nwrite_url = "mysql://shopreader:pw@127.0.0.1/toko"\n',
    )
    msgs = [m for p, m in check_config(a.config_path) if p == "[offers].write_url"]
    assert any("contains a password" in m for m in msgs) and any("export user" in m for m in msgs)


@pytest.fixture(params=["postgres", "mariadb"])
def server_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_server").create_database()
    m = request.getfixturevalue("mariadb_server")
    db = m.create_database()
    request.addfinalizer(lambda: m.drop_database(db))
    return m.url(db)


def test_real_servers_keep_numeric_exact(server_url: str) -> None:
    write_offers(server_url, "hub_offers", [item(1, "12345678901234.5678")], "a")
    r = write_offers(server_url, "hub_offers", [item(1, "0.0001"), item(2, "-3.5")], "b")
    assert (r.inserted, r.updated) == (1, 1)
    from agent.offers_table import sqlalchemy_url

    rows = read(
        sqlalchemy_url(server_url, None).render_as_string(hide_password=False), "hub_offers"
    )
    assert rows == {1: (Decimal("0.0001"), 3, "b"), 2: (Decimal("-3.5"), 3, "b")}
