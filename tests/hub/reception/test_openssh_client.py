"""OpenSSH's own `sftp` client against the embedded server: put, resume (reput), rename."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.core.keys import to_paramiko_key

pytestmark = pytest.mark.skipif(
    shutil.which("sftp") is None, reason="OpenSSH sftp client not installed"
)
NAME = "toko-a-000000000003-incremental.snap"


def test_openssh_sftp_upload_with_resume(hub, tmp_path):
    private = Ed25519PrivateKey.generate()
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    hub.enrol("toko-a", to_paramiko_key(private))
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{hub.server.port} {hub.keys.host_key_line}\n")

    data = os.urandom(50_000)
    local = tmp_path / NAME
    local.write_bytes(data)
    # a previous attempt that stopped after 20,000 bytes
    (hub.inbox("toko-a")).mkdir(parents=True, exist_ok=True)
    (hub.inbox("toko-a") / f"{NAME}.part").write_bytes(data[:20_000])
    batch = tmp_path / "batch"
    batch.write_text(
        f"cd inbox\nreput {local} {NAME}.part\nrename {NAME}.part {NAME}\nls -l\n-mkdir sub\n"
    )
    p = subprocess.run(
        ["sftp", "-b", str(batch), "-P", str(hub.server.port), "-i", str(key_file),
         "-o", f"UserKnownHostsFile={known}", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
         "-o", "IdentitiesOnly=yes", "toko-a@127.0.0.1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert (hub.inbox("toko-a") / NAME).read_bytes() == data
    assert not (hub.inbox("toko-a") / "sub").exists()
