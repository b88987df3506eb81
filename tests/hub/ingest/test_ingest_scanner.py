"""The scanner takes only finished regular files, and repairs a crash between move and register."""

from __future__ import annotations

import os

from ingest_kit import Hub

from hub.ingest.scanner import scan
from hub.ingest.store import Store, claim_upload, stored_name

V1 = {1: ("Mouse", "9.50")}


def test_symlinks_and_foreign_names_are_never_read(hub: Hub) -> None:
    hub.reseller("toko-a")
    inbox = hub.settings.sftp_root / "toko-a" / "inbox"
    secret = hub.tmp / "secret"
    secret.write_text("hub secrets")
    os.symlink(secret, inbox / "toko-a-000000000001-full.snap")
    (inbox / "notes.txt").write_text("hello")
    report = hub.ingest()
    assert report.outcomes == [] and hub.snapshots() == []
    assert sorted(line.split(": ")[1] for line in report.scan.ignored) == [
        "not a regular file",
        "not a snapshot file name",
    ]
    assert secret.read_text() == "hub secrets" and (inbox / "notes.txt").exists()


def test_file_moved_but_not_registered_is_picked_up_by_the_next_scan(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    sealed = r.seal(1, "full", V1)
    store = Store.from_settings(hub.settings)
    claim_upload(sealed, store.received / "toko-a", sealed.name)  # the hub died right after
    report = scan(store, hub.factory)
    assert len(report.registered) == 1 and report.moved == 0
    assert scan(store, hub.factory).registered == []  # idempotent
    hub.ingest()
    assert [s.status for s in hub.snapshots()] == ["applied"]
    assert hub.products("toko-a") == V1


def test_an_upload_is_claimed_into_a_file_the_uploader_cannot_change(hub: Hub) -> None:
    """A reseller keeping a write handle on its upload cannot alter what the hub then verifies."""
    r = hub.reseller("toko-a")
    sealed = r.upload(r.seal(1, "full", V1))
    original = sealed.read_bytes()
    with open(sealed, "r+b") as still_open:  # the uploader's SFTP handle, kept past the rename
        report = scan(Store.from_settings(hub.settings), hub.factory)
        assert report.moved == 1 and not sealed.exists()
        still_open.seek(200)
        still_open.write(b"tampered after the claim")
        still_open.flush()
    (row,) = hub.snapshots()
    claimed = Store.from_settings(hub.settings).locate(row)
    assert claimed is not None and claimed.read_bytes() == original
    assert claimed.name == stored_name(sealed.name, row.file_sha256)
    assert oct(claimed.stat().st_mode & 0o777) == oct(0o600)
    hub.ingest()
    assert [s.status for s in hub.snapshots()] == ["applied"]
    assert hub.products("toko-a") == V1
