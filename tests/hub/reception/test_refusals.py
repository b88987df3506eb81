"""Everything a reseller (or an impostor) must not be able to do, each ending with nothing written."""

from __future__ import annotations

import io
import os

import paramiko
import pytest

from hub.core.db import transaction
from hub.resellers import service
from tests.hub.reception.kit import QUOTA, key_line, new_client_key

A = "toko-a-000000000001-full.snap"
B = "toko-b-000000000001-full.snap"


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


def test_wrong_key_and_unknown_user_are_refused(hub, connect):
    hub.enrol("toko-a")
    with pytest.raises(paramiko.AuthenticationException):
        connect("toko-a", new_client_key())
    with pytest.raises(paramiko.AuthenticationException):
        connect("nobody", new_client_key())
    with pytest.raises(paramiko.AuthenticationException):
        connect("../toko-a", new_client_key())


def test_disable_takes_effect_without_restart(hub, connect):
    key = hub.enrol("toko-a")
    open_session = connect("toko-a", key)
    open_session.putfo(io.BytesIO(b"before"), f"inbox/{A}.part")
    with transaction(hub.factory) as s:
        service.disable_reseller(s, "toko-a")
    with pytest.raises(paramiko.AuthenticationException):
        connect("toko-a", key)
    # the session opened before the disable cannot start new operations either
    with pytest.raises(PermissionError):
        open_session.rename(f"inbox/{A}.part", f"inbox/{A}")
    with pytest.raises(PermissionError):
        open_session.putfo(io.BytesIO(b"after"), "inbox/toko-a-000000000002-full.snap.part")
    assert files_under(hub.inbox("toko-a")) == [f"{A}.part"]
    with transaction(hub.factory) as s:
        service.enable_reseller(s, "toko-a")
    connect("toko-a", key).rename(f"inbox/{A}.part", f"inbox/{A}")
    assert files_under(hub.inbox("toko-a")) == [A]


def test_rotated_key_old_refused_new_accepted(hub, connect):
    old = hub.enrol("toko-a")
    new = new_client_key()
    with transaction(hub.factory) as s:
        service.rotate_keys(s, "toko-a", ssh_public_key=key_line(new))
    with pytest.raises(paramiko.AuthenticationException):
        connect("toko-a", old)
    connect("toko-a", new).putfo(io.BytesIO(b"x"), f"inbox/{A}.part")
    assert files_under(hub.inbox("toko-a")) == [f"{A}.part"]


@pytest.mark.parametrize(
    "path",
    [
        "../x",
        "/etc/passwd",
        "inbox/../../other/inbox/x.snap",
        f"inbox/../../toko-b/inbox/{B}.part",
        f"/../toko-b/inbox/{B}.part",
        f"/toko-b/inbox/{B}.part",
        f"inbox/sub/{A}.part",
        f"inbox/..\\{A}.part",
        f"inbox/.{A}.part",
        f"inbox/{A}.part\x00.txt",
    ],
)
def test_path_traversal_and_foreign_paths_are_refused(hub, connect, path):
    key = hub.enrol("toko-a")
    hub.enrol("toko-b")
    sftp = connect("toko-a", key)
    with pytest.raises((PermissionError, IOError)):
        sftp.putfo(io.BytesIO(b"evil"), path)
    with pytest.raises((PermissionError, IOError)):
        sftp.open(path, "r")
    assert files_under(hub.settings.sftp_root) == []
    assert not [
        p for p in hub.settings.home.parent.rglob("*") if p.name in ("x", "x.snap", "passwd")
    ]


def test_other_resellers_names_and_final_names_cannot_be_written(hub, connect):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    for name in (
        f"{B}.part",  # another reseller's snapshot name
        "toko-a-2-000000000001-full.snap.part",  # a longer id sharing the prefix
        A,  # a final name: only reachable by renaming a finished .part
        "toko-a-1-full.snap.part",  # sequence not 12 digits
        "toko-a-000000000001-delta.snap.part",  # unknown kind
        "notes.txt",
    ):
        with pytest.raises(PermissionError):
            sftp.putfo(io.BytesIO(b"x"), f"inbox/{name}")
    sftp.putfo(io.BytesIO(b"x"), f"inbox/{A}.part")
    for target in (
        "inbox/toko-a-000000000002-full.snap",
        f"inbox/{B}",
        f"outbox/{A}",
        f"/inbox/{A}.x",
    ):
        with pytest.raises(PermissionError):
            sftp.rename(f"inbox/{A}.part", target)
    assert files_under(hub.settings.sftp_root) == [f"toko-a/inbox/{A}.part"]


def test_oversize_upload_fails_and_leaves_no_complete_looking_file(hub, connect, caplog):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    with caplog.at_level("WARNING", logger="hub.reception"), pytest.raises(IOError):
        sftp.putfo(io.BytesIO(os.urandom(QUOTA + 1)), f"inbox/{A}.part")
    assert "quota" in caplog.text
    inbox = hub.inbox("toko-a")
    assert not (inbox / A).exists()
    assert sum(p.stat().st_size for p in inbox.iterdir()) <= QUOTA
    # the quota counts what is already there: a finished file plus a new upload
    sftp.remove(f"inbox/{A}.part")
    sftp.putfo(io.BytesIO(b"a" * (QUOTA // 2)), f"inbox/{A}.part")
    sftp.rename(f"inbox/{A}.part", f"inbox/{A}")
    second = "toko-a-000000000002-incremental.snap"
    with pytest.raises(IOError):
        sftp.putfo(io.BytesIO(b"b" * (QUOTA // 2 + 1)), f"inbox/{second}.part")
    # a sparse write far past the end is charged at its full size
    with pytest.raises(IOError), sftp.open(f"inbox/{second}.part", "w") as f:
        f.seek(QUOTA)
        f.write(b"z")
        f.flush()
    assert not (inbox / second).exists()
    # once the hub takes the finished file away, the space is free again
    (inbox / A).unlink()
    sftp.putfo(io.BytesIO(b"b" * (QUOTA // 2 + 1)), f"inbox/{second}.part")


def test_symlinks_planted_on_disk_are_not_followed(hub, connect, tmp_path):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"top secret")
    inbox, outbox = hub.inbox("toko-a"), hub.outbox("toko-a")
    os.symlink(secret, inbox / f"{A}.part")
    os.symlink(secret, outbox / "offers.json")
    with pytest.raises(PermissionError):
        sftp.open(f"inbox/{A}.part", "a").write(b"overwrite")
    with pytest.raises(PermissionError):
        sftp.open(f"inbox/{A}.part", "r")
    with pytest.raises(PermissionError):
        sftp.open("outbox/offers.json", "r")
    with pytest.raises(PermissionError):
        sftp.rename(f"inbox/{A}.part", f"inbox/{A}")
    with pytest.raises(FileNotFoundError):
        sftp.stat("outbox/offers.json")
    assert sftp.listdir("outbox") == [] and sftp.listdir("inbox") == []
    assert secret.read_bytes() == b"top secret"
    assert (inbox / f"{A}.part").is_symlink() and not (inbox / A).exists()


def test_symlinked_inbox_folder_is_not_followed(hub, connect, tmp_path):
    key = hub.enrol("toko-a")
    connect("toko-a", key).close()  # creates the folders
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    inbox = hub.inbox("toko-a")
    inbox.rmdir()
    os.symlink(elsewhere, inbox)
    sftp = connect("toko-a", key)
    with pytest.raises(IOError):
        sftp.putfo(io.BytesIO(b"x"), f"inbox/{A}.part")
    assert list(elsewhere.iterdir()) == []


def test_disable_stops_an_upload_in_progress(hub, connect):
    hub.server.context.recheck_seconds = 0  # re-check at every write instead of every 2 s
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    f = sftp.open(f"inbox/{A}.part", "w")
    f.write(b"first chunk")
    f.flush()
    with transaction(hub.factory) as s:
        service.disable_reseller(s, "toko-a")
    with pytest.raises(PermissionError):
        f.write(b"second chunk")
        f.flush()
    assert (hub.inbox("toko-a") / f"{A}.part").read_bytes() == b"first chunk"
