"""Anything wrong goes to quarantine with a reason a person understands — and nothing of it applies.

Each test also shows the way out: fix the cause, retry (or push again), and the
data arrives exactly once.
"""

from __future__ import annotations

import pytest
from ingest_kit import COLUMNS, Hub
from sqlalchemy import select

from hub.core.db import transaction
from hub.core.i18n import Formatter
from hub.ingest.models import Snapshot
from hub.ingest.quarantine import NotQuarantined, list_quarantined, retry
from hub.ingest.store import Store
from hub.resellers.service import disable_reseller, enable_reseller, rotate_keys
from shared import keys as sk
from shared.messages import verify_message
from shared.types import Column, PortableType

V1 = {1: ("Mouse", "9.50"), 2: ("Keyboard", "25.00")}
V2 = {2: ("Keyboard", "24.00"), 3: ("Monitor", "150.00")}


def only_quarantined(hub: Hub) -> Snapshot:
    with hub.factory() as s:
        rows = list_quarantined(s)
    assert len(rows) == 1, rows
    return rows[0]


def assert_file_in_quarantine(hub: Hub, row: Snapshot) -> None:
    store = Store.from_settings(hub.settings)
    assert store.locate(row) == store.path_for(row)
    assert store.path_for(row).parent == hub.settings.quarantine_dir / row.reseller_id


def do_retry(hub: Hub, snapshot_id: int):
    return retry(hub.factory, snapshot_id, store=Store.from_settings(hub.settings), keys=hub.keys)


def test_flipped_byte_is_quarantined_and_a_good_copy_then_applies(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    sealed = r.seal(1, "full", V1)
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = sealed.with_name("bad")
    bad.write_bytes(bytes(data))
    bad_upload = hub.settings.sftp_root / "toko-a" / "inbox" / sealed.name
    bad.rename(bad_upload)
    hub.ingest()
    q = only_quarantined(hub)
    assert q.error_class == "SealTampered" and "altered after it was sealed" in q.reason
    # the operator reads it in their language; the API and the agent get the English text
    assert Formatter("en").phrases(q.reason_phrases, "") == q.reason
    shown = Formatter("id").phrases(q.reason_phrases, q.reason)
    assert shown.startswith("snapshot diubah setelah disegel") and "jangan percayai" in shown
    assert_file_in_quarantine(hub, q)
    assert hub.products("toko-a") == {} and hub.version_count("toko-a") == 0
    assert hub.sync("toko-a").last_applied_sequence == 0
    ack = verify_message(
        (hub.settings.sftp_root / "toko-a" / "outbox" / "ack-000000000001.json").read_bytes(),
        hub.keys.signing_key.public_key(),
    )
    assert ack["status"] == "quarantined" and "altered" in ack["reason"]
    r.upload(sealed)  # the agent sends the intact file again
    hub.ingest()
    assert hub.products("toko-a") == V1
    assert [s.status for s in hub.snapshots()] == ["quarantined", "applied"]


def test_wrong_reseller_key_then_key_registered_and_retried(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    new_key = sk.generate_signing_key()
    r.push(
        1, "full", V1, signing_key=new_key
    )  # the reseller rotated its key, the hub does not know yet
    hub.ingest()
    q = only_quarantined(hub)
    assert q.error_class == "SealWrongSigner" and "rotate-key" in q.reason
    assert hub.version_count("toko-a") == 0
    with transaction(hub.factory) as s:
        rotate_keys(s, "toko-a", signing_public_key=sk.public_b64(new_key))
    outcome = do_retry(hub, q.id)
    assert outcome is not None and outcome.status == "applied"
    assert hub.products("toko-a") == V1
    assert hub.snapshots()[0].stats["previous_reasons"] == [q.reason]


def test_revoked_reseller_is_quarantined_then_retried_after_enabling(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    r.push(2, "incremental", V2)
    with transaction(hub.factory) as s:
        disable_reseller(s, "toko-a")
    hub.ingest()
    with hub.factory() as s:
        quarantined = list_quarantined(s, "toko-a")
    assert [q.sequence for q in quarantined] == [1, 2]
    assert all(q.error_class == "ResellerDisabled" and "disabled" in q.reason for q in quarantined)
    assert hub.version_count("toko-a") == 0
    with transaction(hub.factory) as s:
        enable_reseller(s, "toko-a")
    assert do_retry(hub, quarantined[1].id).status == "held"  # 1 not back yet: waits, in order
    assert do_retry(hub, quarantined[0].id).status == "applied"  # and 2 follows automatically
    assert [s.status for s in hub.snapshots()] == ["applied", "applied"]
    assert hub.products("toko-a") == {**V1, **V2}


def test_file_in_another_resellers_inbox_is_quarantined(hub: Hub) -> None:
    a = hub.reseller("toko-a")
    hub.reseller("toko-b")
    a.upload(a.seal(1, "full", V1), inbox_of="toko-b")
    hub.ingest()
    q = only_quarantined(hub)
    assert q.reseller_id == "toko-b" and q.error_class == "MisplacedFile"
    assert "another reseller's inbox" in q.reason and "toko-a" in q.reason
    assert_file_in_quarantine(hub, q)
    assert hub.products("toko-a") == {} and hub.products("toko-b") == {}
    assert hub.version_count("toko-a") == hub.version_count("toko-b") == 0
    assert hub.sync("toko-b").last_applied_sequence == 0
    # a retry runs every check again: still refused
    assert do_retry(hub, q.id).status == "quarantined"


def test_incompatible_schema_change_is_quarantined_and_a_fixed_full_rebases(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    hub.ingest()
    versions = hub.version_count("toko-a")
    narrowed = [COLUMNS[0], COLUMNS[1], Column("price", PortableType.INTEGER)]  # decimal -> integer
    r.push(2, "incremental", {2: ("Keyboard", "24")}, columns=narrowed)
    r.push(3, "incremental", {3: ("Monitor", "150.00")})
    hub.ingest()
    statuses = {s.sequence: s.status for s in hub.snapshots()}
    assert statuses == {1: "applied", 2: "quarantined", 3: "held"}
    q = only_quarantined(hub)
    assert q.error_class == "IncompatibleSchema" and "price" in q.reason
    assert (
        hub.version_count("toko-a") == versions and hub.products("toko-a") == V1
    )  # nothing half-applied
    assert do_retry(hub, q.id).status == "quarantined"  # retrying without a fix changes nothing
    fixed = {1: ("Mouse", "9.50"), 2: ("Keyboard", "24.00"), 3: ("Monitor", "150.00")}
    r.push(4, "full", fixed)  # the agent is fixed and sends a full snapshot
    hub.ingest()
    statuses = {s.sequence: s.status for s in hub.snapshots()}
    assert statuses == {1: "applied", 2: "quarantined", 3: "superseded", 4: "applied"}
    assert hub.products("toko-a") == fixed
    # once re-based, the old one is obsolete (never applied, so not a duplicate of anything)
    assert do_retry(hub, q.id).status == "superseded"


def test_truncated_upload_is_quarantined(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    sealed = r.seal(1, "full", V1)
    cut = hub.settings.sftp_root / "toko-a" / "inbox" / sealed.name
    cut.write_bytes(sealed.read_bytes()[:-200])
    hub.ingest()
    q = only_quarantined(hub)
    assert q.error_class in ("SealTruncated", "SealTampered")
    assert hub.version_count("toko-a") == 0


def test_retry_refuses_a_snapshot_that_is_not_quarantined(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    hub.ingest()
    with hub.factory() as s:
        sid = s.scalar(select(Snapshot.id))
    with pytest.raises(NotQuarantined, match="applied"):
        do_retry(hub, sid)
