from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import SealTampered, SealWrongSigner
from shared.messages import (
    Ack,
    Offers,
    Request,
    ack_filename,
    offers_filename,
    parse_filename,
    parse_payload,
    request_filename,
    sign_message,
    verify_message,
)
from tests.shared.conftest import reseller_key

HUB = reseller_key(5)  # any Ed25519 key plays the hub's signing key here
AT = dt.datetime(2024, 5, 1, 12, 0, 1, tzinfo=dt.timezone.utc)


def test_ack_round_trip_and_file_names() -> None:
    doc = sign_message(
        Ack(
            reseller_id="acme", sequence=7, status="held", reason="gap: 6 missing", at=AT
        ).to_payload(),
        HUB,
    )
    msg = parse_payload(verify_message(doc, HUB.public_key()))
    assert isinstance(msg, Ack) and (msg.sequence, msg.status, msg.at) == (7, "held", AT)
    assert (
        ack_filename(7) == "ack-000000000007.json"
        and offers_filename(AT) == "offers-20240501T120001Z.json"
    )


def test_request_round_trip_and_conflict_acks() -> None:
    req = Request(
        reseller_id="acme", id="r-12", what="keys", datasets=["orders"], since_sequence=4, at=AT
    )
    msg = parse_payload(verify_message(sign_message(req.to_payload(), HUB), HUB.public_key()))
    assert isinstance(msg, Request) and (msg.what, msg.datasets, msg.since_sequence) == (
        "keys",
        ["orders"],
        4,
    )
    assert parse_filename(request_filename("r-12")) == "request" == parse_filename("request-x.json")
    conflict = Ack(
        reseller_id="acme", sequence=1, status="conflict", at=AT, last_applied_sequence=9
    )
    assert parse_payload(conflict.to_payload()) == conflict
    with pytest.raises(ValueError, match="request id"):
        Request(reseller_id="acme", id="../x", what="full", at=AT)
    with pytest.raises(ValueError):
        Request(reseller_id="acme", id="r", what="everything", at=AT)  # type: ignore[arg-type]


def test_offers_keep_decimals_exact() -> None:
    o = Offers(
        reseller_id="acme", generated_at=AT, offers=[{"sku": "A", "price": Decimal("19.90")}]
    )
    msg = parse_payload(verify_message(sign_message(o.to_payload(), HUB), HUB.public_key()))
    assert isinstance(msg, Offers) and Decimal(msg.offers[0]["price"]) == Decimal("19.90")


@given(
    st.dictionaries(st.text(max_size=5), st.integers() | st.text() | st.booleans(), max_size=5),
    st.data(),
)
def test_any_change_to_the_payload_is_refused(payload: dict, data: st.DataObject) -> None:
    doc = sign_message(payload, HUB)
    assert verify_message(doc, HUB.public_key()) == payload
    reindented = json.dumps(json.loads(doc), indent=4).encode()
    assert verify_message(reindented, HUB.public_key()) == payload
    changed = dict(json.loads(doc))
    changed["payload"] = dict(payload, **{data.draw(st.text(max_size=5)): "x"})
    if changed["payload"] != payload:
        with pytest.raises(SealTampered):
            verify_message(json.dumps(changed).encode(), HUB.public_key())


def test_wrong_signer_and_garbage() -> None:
    doc = sign_message({"kind": "ack"}, reseller_key(6))
    with pytest.raises(SealWrongSigner, match="pinned hub key"):
        verify_message(doc, HUB.public_key())
    for junk in (b"", b"[]", b'{"payload": {}}', b"\xff"):
        with pytest.raises(SealTampered):
            verify_message(junk, HUB.public_key())


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        Ack(reseller_id="acme", sequence=1, status="applied", at=dt.datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        sign_message({"at": dt.datetime(2024, 1, 1)}, HUB)
