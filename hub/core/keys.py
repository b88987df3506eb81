"""The hub's own key material under ``settings.keys_dir``, created on first start.

Three private keys, each a PEM PKCS#8 file of mode 0600 (``shared.keys`` writes
and checks them):

* ``seal.key``   — X25519: resellers encrypt their snapshots to its public half;
* ``signing.key`` — Ed25519: the hub signs acknowledgements and offer files;
* ``ssh_host_ed25519_key`` — Ed25519: the embedded SFTP server's host key, which
  agents pin (an impostor hub is refused).

The public halves are written beside them (``*.pub``) for operators to hand to
resellers; :meth:`HubKeys.describe` gives the same text for printing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared import keys as sk
from shared.atomic import write_atomic
from shared.errors import ConfigError

SEAL_KEY = "seal.key"
SIGNING_KEY = "signing.key"
HOST_KEY = "ssh_host_ed25519_key"
_K = TypeVar("_K", Ed25519PrivateKey, X25519PrivateKey)


def ssh_fingerprint(blob: bytes) -> str:
    """OpenSSH's ``SHA256:...`` fingerprint of a public key blob (as ``ssh-keygen -lf`` prints)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class HubKeys:
    seal_key: X25519PrivateKey
    signing_key: Ed25519PrivateKey
    host_key: paramiko.Ed25519Key

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> HubKeys:
        """Load the three keys, generating (and saving) whichever is missing.

        Existing keys are never replaced: a changed seal key would make every
        reseller's uploads unreadable, a changed host key would be refused by
        every agent. Files readable by group/others are refused (``ConfigError``).
        """
        keys_dir = Path(keys_dir)
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        seal = _load_or_create(keys_dir / SEAL_KEY, sk.generate_sealing_key, sk.load_sealing_key)
        signing = _load_or_create(
            keys_dir / SIGNING_KEY, sk.generate_signing_key, sk.load_signing_key
        )
        host = _load_or_create(keys_dir / HOST_KEY, Ed25519PrivateKey.generate, sk.load_signing_key)
        keys = cls(seal_key=seal, signing_key=signing, host_key=to_paramiko_key(host))
        keys._write_public(keys_dir)
        return keys

    @classmethod
    def load(cls, keys_dir: Path) -> HubKeys:
        """Load the three keys; a missing one is an error (only ``synchub init`` creates keys)."""
        keys_dir = Path(keys_dir)
        missing = [n for n in (SEAL_KEY, SIGNING_KEY, HOST_KEY) if not (keys_dir / n).is_file()]
        if missing:
            raise ConfigError(
                [(str(keys_dir / n), "missing") for n in missing],
                hint="restore the hub's keys from its backup: new keys would lock every "
                "reseller out (snapshots sealed to the old key cannot be opened)",
            )
        return cls(
            seal_key=sk.load_sealing_key(keys_dir / SEAL_KEY),
            signing_key=sk.load_signing_key(keys_dir / SIGNING_KEY),
            host_key=to_paramiko_key(sk.load_signing_key(keys_dir / HOST_KEY)),
        )

    # --- public forms ---------------------------------------------------------

    @property
    def seal_public_b64(self) -> str:
        """What resellers configure as the hub's sealing key (``syncagent init``)."""
        return sk.public_b64(self.seal_key)

    @property
    def seal_fingerprint(self) -> str:
        """Hex SHA-256: the ``recipient`` field of sealed files."""
        return sk.fingerprint(self.seal_key)

    @property
    def signing_public_b64(self) -> str:
        """What agents pin to verify the hub's acknowledgements and offers."""
        return sk.public_b64(self.signing_key)

    @property
    def signing_fingerprint(self) -> str:
        return sk.fingerprint(self.signing_key)

    @property
    def host_key_line(self) -> str:
        """``ssh-ed25519 AAAA...``: the line for an agent's known_hosts."""
        return f"{self.host_key.get_name()} {self.host_key.get_base64()}"

    @property
    def host_fingerprint(self) -> str:
        return ssh_fingerprint(self.host_key.asbytes())

    def describe(self, *, host_key: bool = True) -> str:
        """Human-readable summary of the public halves (no secrets).

        ``host_key=False`` leaves out the built-in server's host key (under OpenSSH
        agents pin the OpenSSH instance's key instead).
        """
        lines = [
            f"seal public key (X25519):      {self.seal_public_b64}",
            f"  fingerprint:                 {sk.short_fingerprint(self.seal_key)}",
            f"signing public key (Ed25519):  {self.signing_public_b64}",
            f"  fingerprint:                 {sk.short_fingerprint(self.signing_key)}",
        ]
        if host_key:
            lines += [
                f"SFTP host key:                 {self.host_key_line}",
                f"  fingerprint:                 {self.host_fingerprint}",
            ]
        return "\n".join(lines)

    def _write_public(self, keys_dir: Path) -> None:
        sk.save_public_key(self.seal_key, keys_dir / "seal.pub")
        sk.save_public_key(self.signing_key, keys_dir / "signing.pub")
        line = (self.host_key_line + "\n").encode("ascii")
        write_atomic(keys_dir / f"{HOST_KEY}.pub", line, mode=0o644)


def _load_or_create(path: Path, generate: Callable[[], _K], load: Callable[[Path], _K]) -> _K:
    if not os.path.lexists(path):
        sk.save_private_key(generate(), path)
    return load(path)


def to_paramiko_key(key: Ed25519PrivateKey) -> paramiko.Ed25519Key:
    """paramiko reads Ed25519 private keys only in OpenSSH format: convert in memory."""
    text = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode("ascii")
    return paramiko.Ed25519Key(file_obj=io.StringIO(text))
