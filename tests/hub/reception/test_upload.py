"""The happy path and what an agent needs: .part upload, resume, atomic rename, outbox reads."""

from __future__ import annotations

import io
import os

import paramiko
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from agent.config import HubSection
from agent.deliver import BIG_BLOCK, HubConnection, write_request_size
from hub.core.keys import to_paramiko_key
from shared.errors import TransferError
from tests.hub.reception.kit import QUOTA

NAME = "toko-a-000000000001-full.snap"


def test_upload_part_then_rename_lands_in_inbox(hub, connect):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    payload = os.urandom(40_000)
    attrs = sftp.putfo(io.BytesIO(payload), f"/inbox/{NAME}.part", confirm=True)
    assert attrs.st_size == len(payload)
    sftp.posix_rename(f"/inbox/{NAME}.part", f"/inbox/{NAME}")
    assert (hub.inbox("toko-a") / NAME).read_bytes() == payload
    assert not (hub.inbox("toko-a") / f"{NAME}.part").exists()
    assert sorted(sftp.listdir("/inbox")) == [NAME]
    assert sorted(sftp.listdir("/")) == ["inbox", "outbox"]


def test_resume_appends_to_existing_part(hub, connect):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    first, rest = os.urandom(10_000), os.urandom(15_000)
    sftp.putfo(io.BytesIO(first), f"inbox/{NAME}.part")
    # as after a dropped connection: the agent asks the size, then appends the rest
    done = sftp.stat(f"inbox/{NAME}.part").st_size
    assert done == len(first)
    with sftp.open(f"inbox/{NAME}.part", "a") as f:
        f.write(rest)
    # positional write (OpenSSH `reput` style) overwriting the tail is fine too
    with sftp.open(f"inbox/{NAME}.part", "r+") as f:
        f.seek(len(first))
        f.write(rest[:100])
    sftp.rename(f"inbox/{NAME}.part", f"inbox/{NAME}")
    assert (hub.inbox("toko-a") / NAME).read_bytes() == first + rest


def test_plain_rename_refuses_to_overwrite_posix_rename_replaces(hub, connect):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    sftp.putfo(io.BytesIO(b"one"), f"inbox/{NAME}.part")
    sftp.rename(f"inbox/{NAME}.part", f"inbox/{NAME}")
    sftp.putfo(io.BytesIO(b"two"), f"inbox/{NAME}.part")
    with pytest.raises(IOError):
        sftp.rename(f"inbox/{NAME}.part", f"inbox/{NAME}")
    assert (hub.inbox("toko-a") / NAME).read_bytes() == b"one"
    sftp.posix_rename(f"inbox/{NAME}.part", f"inbox/{NAME}")
    assert (hub.inbox("toko-a") / NAME).read_bytes() == b"two"


def test_order_drop_and_own_part_removal(hub, connect):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    sftp.putfo(io.BytesIO(b'{"lines": []}'), "inbox/order-20250101-7.json.part")
    sftp.rename("inbox/order-20250101-7.json.part", "inbox/order-20250101-7.json")
    assert (hub.inbox("toko-a") / "order-20250101-7.json").read_bytes() == b'{"lines": []}'
    sftp.putfo(io.BytesIO(b"abandoned"), f"inbox/{NAME}.part")
    sftp.remove(f"inbox/{NAME}.part")
    assert not (hub.inbox("toko-a") / f"{NAME}.part").exists()
    with pytest.raises(PermissionError):  # finished files belong to the hub
        sftp.remove("inbox/order-20250101-7.json")


def test_outbox_is_readable_and_read_only(hub, connect):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)  # the session creates the folders
    reply = b'{"payload": {"ack": 1}}'
    (hub.outbox("toko-a") / "ack-000000000001.json").write_bytes(reply)
    assert sftp.listdir("/outbox") == ["ack-000000000001.json"]
    with sftp.open("/outbox/ack-000000000001.json") as f:
        assert f.read() == reply
    with pytest.raises(PermissionError):
        sftp.putfo(io.BytesIO(b"x"), f"/outbox/{NAME}.part")
    with pytest.raises(PermissionError):
        sftp.open("/outbox/ack-000000000001.json", "a")
    with pytest.raises(PermissionError):
        sftp.remove("/outbox/ack-000000000001.json")
    assert (hub.outbox("toko-a") / "ack-000000000001.json").read_bytes() == reply


def test_no_mkdir_symlink_or_mode_change(hub, connect):
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    sftp.putfo(io.BytesIO(b"x"), f"inbox/{NAME}.part")
    with pytest.raises(PermissionError):
        sftp.mkdir("inbox/sub")
    with pytest.raises(PermissionError):
        sftp.symlink("/etc/passwd", f"inbox/{NAME}")
    with pytest.raises(PermissionError):
        sftp.chmod(f"inbox/{NAME}.part", 0o777)
    with pytest.raises(PermissionError):
        sftp.truncate(f"inbox/{NAME}.part", 0)
    sftp.utime(f"inbox/{NAME}.part", (1_700_000_000, 1_700_000_000))  # harmless: allowed
    assert (hub.inbox("toko-a") / f"{NAME}.part").stat().st_mtime == 1_700_000_000
    assert sorted(p.name for p in hub.inbox("toko-a").iterdir()) == [f"{NAME}.part"]


def test_only_sftp_subsystem(hub):
    key = hub.enrol("toko-a")
    t = paramiko.Transport(("127.0.0.1", hub.server.port))
    try:
        t.connect(username="toko-a", pkey=key)
        chan = t.open_session()
        with pytest.raises(paramiko.SSHException):
            chan.exec_command("cat /etc/passwd")
    finally:
        t.close()


def test_the_agents_big_write_requests_arrive_byte_for_byte(hub, connect):
    """The agent sends 252 KiB per write request to a server it knows takes them: this one does."""
    hub.server.context.ledger.quota_bytes = 4 << 20  # room for several requests
    key = hub.enrol("toko-a")
    sftp = connect("toko-a", key)
    version = sftp.get_channel().get_transport().remote_version
    assert write_request_size(version) == BIG_BLOCK
    payload = os.urandom(3 * BIG_BLOCK + 12_345)  # several requests, the last one short
    with sftp.open(f"/inbox/{NAME}.part", "wb") as f:
        f.set_pipelined(True)
        f.MAX_REQUEST_SIZE = BIG_BLOCK
        f.write(payload)
    sftp.posix_rename(f"/inbox/{NAME}.part", f"/inbox/{NAME}")
    assert (hub.inbox("toko-a") / NAME).read_bytes() == payload


def test_an_agent_over_the_inbox_quota_hears_what_to_check(hub, tmp_path):
    """The hub refuses writes past the reseller's inbox quota; SFTP carries no reason, so the agent
    sees a short file. Its error must still point at the likely causes, not just a byte count."""
    private = Ed25519PrivateKey.generate()
    hub.enrol("toko-a", to_paramiko_key(private))
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(private.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    section = HubSection(
        host="127.0.0.1",
        port=hub.server.port,
        username="toko-a",
        ssh_key=key_file,
        host_key=hub.keys.host_key_line,
        seal_public_key=hub.keys.seal_public_b64,
        signing_public_key=hub.keys.signing_public_b64,
    )
    local = tmp_path / NAME
    local.write_bytes(os.urandom(QUOTA + 1))
    conn = HubConnection(section)
    conn.open()
    try:
        with pytest.raises(TransferError) as err:
            conn.upload(local)
    finally:
        conn.close()
    assert err.value.retriable
    assert "inbox quota" in str(err.value) and "disk" in str(err.value), str(err.value)
    assert not (hub.inbox("toko-a") / NAME).exists()  # never renamed into place
