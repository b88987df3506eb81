"""Order files in a reseller's SFTP inbox: validated, placed once, answered in the outbox."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.orders.models import Order
from hub.orders.sftp import scan_order_files
from shared.messages import verify_message
from tests.hub.orders.helpers import Hub, seed

HUB_KEY = Ed25519PrivateKey.generate()


def _answer(path: Path) -> dict:
    """The hub signs its answers like acks and offers: verify, then read the payload."""
    return verify_message(path.read_bytes(), HUB_KEY.public_key())


def test_order_files_answered(hub: Hub, tmp_path: Path) -> None:
    seed(hub, {"SSD": 5})
    root, archive = tmp_path / "sftp", tmp_path / "archive"
    inbox = root / "r1" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "order-001.json").write_text(
        json.dumps({"client_ref": "PO-1", "lines": [{"sku": "SSD", "quantity": 2}]})
    )
    (inbox / "order-002.json").write_text(json.dumps({"lines": [{"sku": "SSD", "quantity": -1}]}))
    (inbox / "order-003.json").write_text("{not json")
    (inbox / "r1-000000000001-full.snap").write_bytes(b"x")  # not ours
    (inbox / "order-004.json").symlink_to("/etc/passwd")
    report = scan_order_files(hub.factory, root, archive, hub.ctx, HUB_KEY)
    assert report.accepted == ["r1/order-001.json"]
    assert report.refused == ["r1/order-002.json", "r1/order-003.json"]
    out = root / "r1" / "outbox"
    ok = _answer(out / "order-001.result.json")
    assert ok["status"] == "accepted" and ok["order"]["state"] == "awaiting_payment"
    bad = _answer(out / "order-002.result.json")
    assert bad["status"] == "refused" and "quantity" in " ".join(bad["problems"])
    assert "not UTF-8 JSON" in _answer(out / "order-003.result.json")["error"]
    assert sorted(p.name for p in inbox.iterdir()) == [
        "order-004.json",
        "r1-000000000001-full.snap",
    ]
    # the agent re-sends the same purchase order: same answer, no second order
    (inbox / "order-001b.json").write_text(
        json.dumps({"client_ref": "PO-1", "lines": [{"sku": "SSD", "quantity": 2}]})
    )
    scan_order_files(hub.factory, root, archive, hub.ctx, HUB_KEY)
    again = _answer(out / "order-001b.result.json")
    assert again["replayed"] is True and again["order"]["id"] == ok["order"]["id"]
    with hub.factory() as s:
        assert s.query(Order).count() == 1
