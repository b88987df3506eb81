"""Live-rate adapter against a fake provider on 127.0.0.1: good answers, and every fallback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy.orm import Session

from hub.shipping.live import HttpRateProvider
from hub.shipping.ratecards import import_file
from hub.shipping.rules import Item
from hub.shipping.service import quote_shipment
from tests.hub.shipping.helpers import GOOD, FakeProvider


def _quote(db: Session, provider: HttpRateProvider):
    return quote_shipment(
        db,
        origin="32.73",
        destination="35.78",
        items=[Item(D("1.2"))],
        day=dt.date(2025, 3, 1),
        live=provider,
    )


def _provider(server: FakeProvider, **kw) -> HttpRateProvider:
    return HttpRateProvider(
        f"http://127.0.0.1:{server.server_address[1]}", name="fakeongkir", timeout=0.3, **kw
    )


def test_live_rates_used_and_cached(db: Session, fake: FakeProvider) -> None:
    import_file(db, data=GOOD.encode(), filename="c.csv")
    provider = _provider(fake)
    first = _quote(db, provider)
    assert first.source == "fakeongkir" and first.notices == []
    assert [(o.courier, o.service, o.fee) for o in first.options] == [("JNE", "REG", 19000)]
    _quote(db, provider)
    assert fake.calls == 1  # second answer came from the cache


@pytest.mark.parametrize(
    "mode, why",
    [
        ("slow", "timed out"),
        ("error", "HTTP 503"),
        ("nonsense", "implausible"),
        ("html", "not JSON"),
    ],
)
def test_falls_back_to_rate_cards(db: Session, fake: FakeProvider, mode: str, why: str) -> None:
    import_file(db, data=GOOD.encode(), filename="c.csv")
    fake.mode = mode
    result = _quote(db, _provider(fake))
    assert result.source == "rate card"
    assert len(result.options) == 5 and all(o.source == "rate card" for o in result.options)
    assert any(why in n and "prices are from the rate cards" in n for n in result.notices)


def test_unreachable_provider_falls_back(db: Session) -> None:
    import_file(db, data=GOOD.encode(), filename="c.csv")
    with socket_closed_port() as port:
        provider = HttpRateProvider(f"http://127.0.0.1:{port}", timeout=0.3)
        result = _quote(db, provider)
    assert result.source == "rate card" and "ConnectError" in result.notices[0]


def socket_closed_port():
    import contextlib
    import socket

    @contextlib.contextmanager
    def _cm():
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        yield port

    return _cm()
