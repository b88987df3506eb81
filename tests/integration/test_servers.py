"""The real servers started by tests/conftest.py work as the other tests expect."""

from __future__ import annotations

import base64
import grp
import os
import pwd
import stat
import subprocess
from pathlib import Path

import paramiko
import psycopg
import pytest


def test_postgres_starts_and_creates_databases(postgres_server, pg_database):
    with psycopg.connect(pg_database) as con:
        assert con.execute("select current_user").fetchone()[0] == "postgres"
        con.execute("create table t (x int)")
    assert postgres_server.host == "127.0.0.1"


def test_mariadb_tcp_user_and_readonly_user(mariadb_server, mariadb_database):
    with mariadb_server.connect(mariadb_database) as con, con.cursor() as cur:
        cur.execute("create table t (x int)")
        cur.execute("insert into t values (1), (2)")
    mariadb_server.create_readonly_user(mariadb_database, "reader", "pw-r")
    import pymysql

    with (
        mariadb_server.connect(mariadb_database, user="reader", password="pw-r") as con,
        con.cursor() as cur,
    ):
        cur.execute("select sum(x) from t")
        assert cur.fetchone()[0] == 3
        with pytest.raises(pymysql.err.OperationalError):
            cur.execute("insert into t values (3)")


# --------------------------------------------------------------------------- sshd


def _client_key(tmp_path: Path, name: str) -> tuple[paramiko.PKey, str]:
    path = tmp_path / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True
    )
    return paramiko.Ed25519Key.from_private_key_file(str(path)), (
        tmp_path / f"{name}.pub"
    ).read_text()


def _sftp(server, login: str, key: paramiko.PKey) -> tuple[paramiko.SSHClient, paramiko.SFTPClient]:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())  # pinned host key only
    keytype, blob = server.host_public_key.split()[:2]
    client.get_host_keys().add(
        f"[{server.host}]:{server.port}",
        keytype,
        paramiko.PKey.from_type_string(keytype, base64.b64decode(blob)),
    )
    client.connect(
        server.host,
        server.port,
        username=login,
        pkey=key,
        allow_agent=False,
        look_for_keys=False,
        timeout=10,
    )
    return client, client.open_sftp()


@pytest.fixture
def two_resellers(sshd_server, tmp_path):
    key_a, pub_a = _client_key(tmp_path, "a")
    key_b, pub_b = _client_key(tmp_path, "b")
    suffix = os.urandom(2).hex()
    ids = (f"shop-a{suffix}", f"shop-b{suffix}")
    chroot_a = sshd_server.add_reseller(ids[0], pub_a)
    chroot_b = sshd_server.add_reseller(ids[1], pub_b)
    return ids, (key_a, key_b), (chroot_a, chroot_b)


def test_sshd_layout_is_what_sshd_requires(sshd_server, two_resellers):
    (a, _), _, (chroot_a, _) = two_resellers
    st = chroot_a.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o755)
    assert sorted(p.name for p in chroot_a.iterdir()) == ["inbox", "outbox"]
    login = sshd_server.login_name(a)
    assert login.startswith(sshd_server.user_prefix) and login.endswith(a)
    assert (chroot_a / "inbox").stat().st_uid == pwd.getpwnam(login).pw_uid


def test_sshd_reseller_uploads_then_renames_in_inbox(sshd_server, two_resellers):
    (a, _), (key_a, _), (chroot_a, _) = two_resellers
    client, sftp = _sftp(sshd_server, sshd_server.login_name(a), key_a)
    with client:
        assert sorted(sftp.listdir("/")) == ["inbox", "outbox"]
        payload = os.urandom(300_000)
        with sftp.open("/inbox/snap-1.snap.part", "wb") as f:
            f.write(payload)
        sftp.posix_rename("/inbox/snap-1.snap.part", "/inbox/snap-1.snap")
        assert sftp.listdir("/inbox") == ["snap-1.snap"]
    landed = chroot_a / "inbox" / "snap-1.snap"
    assert landed.read_bytes() == payload
    assert stat.S_IMODE(landed.stat().st_mode) & 0o007 == 0  # umask 0027: no access for others
    assert landed.stat().st_gid == grp.getgrnam(sshd_server.hub_group).gr_gid


def test_sshd_reseller_is_confined(sshd_server, two_resellers):
    (a, b), (key_a, _), (chroot_a, chroot_b) = two_resellers
    (chroot_b / "inbox" / "secret.snap").write_bytes(b"b's data")
    (chroot_a / "outbox" / "ack-1.json").write_text("{}")
    client, sftp = _sftp(sshd_server, sshd_server.login_name(a), key_a)
    with client:
        # '..' and absolute paths all resolve inside the chroot
        assert sorted(sftp.listdir("/..")) == ["inbox", "outbox"]
        assert sorted(sftp.listdir("../../..")) == ["inbox", "outbox"]
        for path in (
            f"/../{b}/inbox",
            f"../{b}/inbox/secret.snap",
            str(chroot_b / "inbox"),
            "/etc/passwd",
            str(sshd_server.keys_dir),
        ):
            with pytest.raises(OSError):
                sftp.stat(path)
        # outbox: readable, not writable
        assert sftp.open("/outbox/ack-1.json").read() == b"{}"
        with pytest.raises(OSError):
            sftp.open("/outbox/forged.json", "wb").close()
        with pytest.raises(OSError):
            sftp.remove("/outbox/ack-1.json")
        with pytest.raises(OSError):
            sftp.open("/evil", "wb").close()  # chroot root itself is root-owned
        # ForceCommand: a command request gets internal-sftp, never a shell
        stdin, stdout, _ = client.exec_command("id", timeout=10)
        stdin.channel.shutdown_write()
        assert b"uid=" not in stdout.read()
        assert not (chroot_b / ".." / "evil").exists()


def test_sshd_rejects_wrong_key_and_disabled_reseller(sshd_server, two_resellers, tmp_path):
    (a, b), (key_a, key_b), _ = two_resellers
    with pytest.raises(paramiko.AuthenticationException):
        _sftp(sshd_server, sshd_server.login_name(a), key_b)
    sshd_server.disable_reseller(b)
    with pytest.raises(paramiko.AuthenticationException):
        _sftp(sshd_server, sshd_server.login_name(b), key_b)


def test_sshd_kill_connections_drops_sessions(sshd_server, two_resellers):
    (a, _), (key_a, _), _ = two_resellers
    client, sftp = _sftp(sshd_server, sshd_server.login_name(a), key_a)
    with client:
        sftp.listdir("/inbox")
        assert sshd_server.kill_connections() >= 1
        with pytest.raises((OSError, EOFError, paramiko.SSHException)):
            sftp.listdir("/inbox")
    client, sftp = _sftp(sshd_server, sshd_server.login_name(a), key_a)  # master still serves
    with client:
        assert sftp.listdir("/inbox") == []
