"""Exactly-once on SQLite: replay, double upload, out of order, gaps, re-base by a full snapshot.

Each test ends by checking that nothing was lost (every file registered, the
merged state equals the source) and nothing half-applied (statuses and the
reseller's high-water mark agree with the merged rows).
"""

from __future__ import annotations

from ingest_kit import Hub

from shared.messages import verify_message

V1 = {1: ("Mouse", "9.50"), 2: ("Keyboard", "25.00")}
V2 = {2: ("Keyboard", "24.00"), 3: ("Monitor", "150.00")}  # changes in snapshot 2
V3 = {1: ("Mouse", "8.75")}  # changes in snapshot 3


def state(*changes: dict) -> dict:
    out: dict = {}
    for c in changes:
        out.update(c)
    return out


def statuses(hub: Hub, rid: str) -> dict[int, str]:
    return {s.sequence: s.status for s in hub.snapshots(rid)}


def read_ack(hub: Hub, rid: str, sequence: int) -> dict:
    path = hub.settings.sftp_root / rid / "outbox" / f"ack-{sequence:012d}.json"
    return verify_message(path.read_bytes(), hub.keys.signing_key.public_key())


def test_in_order_applies_and_acknowledges(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    r.push(2, "incremental", V2)
    report = hub.ingest()
    assert report.counts() == {"applied": 2}
    assert hub.products("toko-a") == state(V1, V2)
    assert hub.sync("toko-a").last_applied_sequence == 2
    ack = read_ack(hub, "toko-a", 2)
    assert (
        ack["status"] == "applied"
        and ack["last_applied_sequence"] == 2
        and ack["missing_sequences"] == []
    )
    # the inbox is empty, the files are archived, not lost
    assert not list((hub.settings.sftp_root / "toko-a" / "inbox").iterdir())
    assert len(list((hub.settings.home / "archive" / "toko-a").iterdir())) == 2


def test_double_upload_of_the_same_file_is_recognised(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    sealed = r.seal(1, "full", V1)
    r.upload(sealed)
    hub.ingest()
    versions = hub.version_count("toko-a")
    r.upload(sealed)  # the agent did not see the ack and sends the very same bytes again
    report = hub.ingest()
    assert report.outcomes == [] and len(report.scan.repeated) == 1
    assert len(hub.snapshots("toko-a")) == 1  # one row per file
    assert hub.version_count("toko-a") == versions
    assert hub.products("toko-a") == V1
    assert read_ack(hub, "toko-a", 1)["status"] == "applied"  # ack written again


def test_another_file_under_an_applied_sequence_is_a_conflict_not_a_duplicate(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    r.push(2, "incremental", V2)
    hub.ingest()
    versions = hub.version_count("toko-a")
    # same sequence, new bytes: an agent that lost its state starts again at 1 (or a replayed export)
    r.push(1, "full", {9: ("Replayed", "1.00")})
    r.push(2, "incremental", V2)
    report = hub.ingest()
    assert report.counts() == {
        "conflict": 2
    }  # never "duplicate": its data would be dropped silently
    assert hub.version_count("toko-a") == versions
    assert hub.products("toko-a") == state(V1, V2)
    ack = read_ack(hub, "toko-a", 1)
    assert ack["status"] == "conflict" and ack["last_applied_sequence"] == 2
    assert "re-bases to 3 with a full snapshot" in ack["reason"]
    mine = [s for s in hub.snapshots("toko-a") if s.sequence == 1 and s.status == "conflict"]
    assert ack["file_sha256"] == mine[0].file_sha256  # the ack names the file it is about


def test_out_of_order_arrival_is_applied_in_sequence_order(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(3, "incremental", V3)
    r.push(2, "incremental", V2)
    hub.ingest()
    assert statuses(hub, "toko-a") == {3: "held", 2: "held"}
    assert read_ack(hub, "toko-a", 3)["missing_sequences"] == [1]
    assert hub.products("toko-a") == {}
    r.push(1, "full", V1)
    report = hub.ingest()
    assert sorted(o.sequence for o in report.outcomes) == [1, 2, 3]
    assert statuses(hub, "toko-a") == {1: "applied", 2: "applied", 3: "applied"}
    assert hub.products("toko-a") == state(V1, V2, V3)
    assert hub.sync("toko-a").last_applied_sequence == 3


def test_gap_is_held_and_reported_until_filled(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    hub.ingest()
    r.push(4, "incremental", {4: ("Cable", "2.00")})
    r.push(3, "incremental", V3)
    report = hub.ingest()
    assert report.counts() == {"held": 2}
    ack = read_ack(hub, "toko-a", 4)
    assert ack["status"] == "held" and ack["missing_sequences"] == [2]
    assert hub.products("toko-a") == V1  # nothing of 3 or 4 applied yet
    hub.ingest()  # a round without the missing file changes nothing
    assert statuses(hub, "toko-a") == {1: "applied", 4: "held", 3: "held"}
    r.push(2, "incremental", V2)
    hub.ingest()
    assert statuses(hub, "toko-a") == {1: "applied", 2: "applied", 3: "applied", 4: "applied"}
    assert hub.products("toko-a") == state(V1, V2, V3, {4: ("Cable", "2.00")})
    assert read_ack(hub, "toko-a", 4)["status"] == "applied"


def test_full_snapshot_rebases_and_supersedes_older_held_ones(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)
    hub.ingest()
    r.push(3, "incremental", V3)  # 2 never arrives
    hub.ingest()
    full = {1: ("Mouse", "7.00"), 5: ("Webcam", "30.00")}
    r.push(4, "full", full)
    r.push(5, "incremental", {5: ("Webcam", "29.00")})
    hub.ingest()
    assert statuses(hub, "toko-a") == {1: "applied", 3: "superseded", 4: "applied", 5: "applied"}
    assert hub.products("toko-a") == {
        1: ("Mouse", "7.00"),
        5: ("Webcam", "29.00"),
    }  # 2 deleted by the full
    sync = hub.sync("toko-a")
    assert (sync.last_applied_sequence, sync.last_full_sequence) == (5, 4)
    assert read_ack(hub, "toko-a", 3)["status"] == "superseded"


def test_part_files_are_left_alone(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    sealed = r.seal(1, "full", V1)
    inbox = hub.settings.sftp_root / "toko-a" / "inbox"
    (inbox / (sealed.name + ".part")).write_bytes(sealed.read_bytes()[:100])  # still uploading
    report = hub.ingest()
    assert report.outcomes == [] and hub.snapshots() == []
    assert (inbox / (sealed.name + ".part")).exists()
