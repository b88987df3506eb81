"""An operator asks a reseller's agent for a full snapshot from the reseller page (signed, audited)."""

from __future__ import annotations

import re

from hub.core.keys import HubKeys
from hub.core.roles import Role
from shared.messages import Request, parse_payload, request_filename, verify_message
from tests.hub.web.webkit import Seeded


def test_ask_for_a_full_snapshot_from_the_reseller_page(fresh_hub: Seeded) -> None:
    owner = fresh_hub.client(Role.OWNER)
    page = owner.get("/resellers/r1").text
    assert 'id="request-full"' in page and "Minta snapshot lengkap" in page  # Indonesian first
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    r = owner.post(
        "/resellers/r1/request-full",
        data={"reason": "stok terlihat salah", "csrf_token": token.group(1)},
    )
    assert r.status_code == 303 and r.headers["location"] == "/resellers/r1?asked=r1"
    after = owner.get(r.headers["location"]).text
    assert 'id="asked"' in after and "stok terlihat salah" in after and "snapshot lengkap" in after

    settings = fresh_hub.app.state.hub.settings
    raw = (settings.sftp_root / "r1" / "outbox" / request_filename("r1")).read_bytes()
    keys = HubKeys.load_or_create(settings.keys_dir)
    msg = parse_payload(verify_message(raw, keys.signing_key.public_key()))
    assert isinstance(msg, Request) and (msg.what, msg.reseller_id, msg.reason) == (
        "full",
        "r1",
        "stok terlihat salah",
    )
    # asking again while the first is open reuses it (one file, one request)
    owner.post("/resellers/r1/request-full", data={"reason": "", "csrf_token": token.group(1)})
    assert sorted(p.name for p in (settings.sftp_root / "r1" / "outbox").glob("request-*")) == [
        "request-r1.json"
    ]
    audit = owner.get("/api/v1/audit", params={"action": "sync.request_full"}).json()
    assert audit["count"] == 2 and audit["data"][0]["entity_id"] == "r1"


def test_only_operations_staff_may_ask(fresh_hub: Seeded) -> None:
    assert fresh_hub.client(Role.MARKETING).post("/resellers/r1/request-full").status_code == 403
    assert 'id="request-full"' not in fresh_hub.client(Role.MARKETING).get("/resellers/r1").text
    shop = fresh_hub.client(Role.RESELLER_ADMIN, "r1")
    assert shop.post("/resellers/r1/request-full").status_code in (403, 404)
    assert fresh_hub.client(Role.OWNER).post("/resellers/nobody/request-full").status_code == 404
