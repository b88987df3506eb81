"""SSH keys and host-key pinning for delivery to the hub.

The agent trusts exactly one hub host key, written in its config at
``syncagent init`` (an OpenSSH public key line, or its ``SHA256:`` fingerprint
as ``ssh-keygen -lf`` prints it). Anything else — an unknown key or a changed
one — is refused with both fingerprints, so the operator can tell a rotated
key from an impostor. There is deliberately no "accept new key" mode.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.errors import ConfigError, HostKeyMismatch


def write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only (0600), replacing nothing silently."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def generate_ssh_key(path: Path, comment: str) -> str:
    """Create an Ed25519 SSH key in OpenSSH format at ``path``; return its public key line."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    write_private(path, pem)
    line = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    public = f"{line} {comment}\n"
    Path(str(path) + ".pub").write_text(public)
    return public.strip()


def load_ssh_key(path: Path) -> paramiko.PKey:
    """The agent's SSH private key; ConfigError naming the file if it cannot be used."""
    try:
        return paramiko.PKey.from_path(str(path))
    except (OSError, paramiko.SSHException, ValueError) as exc:
        raise ConfigError(
            [("[hub].ssh_key", f"cannot load SSH private key {path}: {exc}")]
        ) from exc


def public_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()}"


def fingerprint_blob(blob: bytes) -> str:
    """OpenSSH's fingerprint of a public key blob (``SHA256:`` + unpadded base64)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def fingerprint(key: paramiko.PKey) -> str:
    return fingerprint_blob(key.asbytes())


def pinned_fingerprint(setting: str) -> str:
    """The fingerprint the config pins: given as is, or computed from a public key line."""
    setting = setting.strip()
    if setting.startswith("SHA256:"):
        return setting.rstrip("=")
    parts = setting.split()
    # "ssh-ed25519 AAAA… [comment]" or a known_hosts line "host ssh-ed25519 AAAA…"
    b64 = parts[1] if parts[0].startswith(("ssh-", "ecdsa-", "rsa-")) else parts[2]
    return fingerprint_blob(base64.b64decode(b64))


def verify_host_key(pinned_setting: str, presented: paramiko.PKey, where: str) -> None:
    """Refuse any hub host key but the pinned one (HostKeyMismatch shows both fingerprints)."""
    expected = pinned_fingerprint(pinned_setting)
    got = fingerprint(presented)
    if got != expected:
        raise HostKeyMismatch(
            f"the hub at {where} presented host key {got} ({presented.get_name()}), "
            f"but the config pins {expected}; refusing to connect",
            hint="if the hub operator confirms the key changed, put the new key in [hub].host_key; "
            "otherwise someone may be impersonating the hub",
            expected=expected,
            presented=got,
            host=where,
        )
