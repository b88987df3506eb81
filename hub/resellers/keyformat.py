"""Checking the public keys a reseller hands over, with errors that say what to send instead.

Two keys per reseller: the SSH key its agent logs in with (one OpenSSH public
key line, as in ``~/.ssh/id_ed25519.pub``) and the Ed25519 key that signs its
snapshots (base64 of the 32 raw bytes, as printed by ``syncagent init``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_ssh_public_key

from hub.core.keys import ssh_fingerprint
from shared.errors import ConfigError, DataError
from shared.keys import fingerprint, public_bytes, signing_public_key_from_b64

SSH_KEY_TYPES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
)
MIN_RSA_BITS = 3072


class InvalidPublicKey(DataError):
    """A public key handed over for a reseller is not in the expected format."""


@dataclass(frozen=True)
class SshPublicKey:
    """A parsed OpenSSH public key line."""

    key_type: str
    blob: bytes  # the SSH wire encoding, what a client presents when it logs in
    comment: str

    @property
    def line(self) -> str:
        b64 = base64.b64encode(self.blob).decode("ascii")
        return f"{self.key_type} {b64} {self.comment}".rstrip()

    @property
    def fingerprint(self) -> str:
        return ssh_fingerprint(self.blob)


def parse_ssh_public_key(text: str) -> SshPublicKey:
    """Parse one ``TYPE BASE64 [comment]`` line; refuse private keys, DSA and short RSA."""
    line = text.strip()
    if "PRIVATE KEY" in line:
        raise InvalidPublicKey(
            "this is a PRIVATE key; never hand it over",
            hint="send the .pub file instead (e.g. ~/.ssh/id_ed25519.pub)",
        )
    if "\n" in line:
        raise InvalidPublicKey(
            "expected exactly one OpenSSH public key line, got several lines",
            hint="pass a single line like 'ssh-ed25519 AAAA... comment'",
        )
    parts = line.split(None, 2)
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        got = parts[0][:30] if parts else "(empty)"
        raise InvalidPublicKey(
            "not an OpenSSH public key line (starts with {got}); accepted types: {types}",
            got=repr(got),
            types=", ".join(SSH_KEY_TYPES),
            hint="create one with `ssh-keygen -t ed25519` and pass the .pub file",
        )
    key_type, b64 = parts[0], parts[1]
    comment = parts[2].strip() if len(parts) == 3 else ""
    try:
        blob = base64.b64decode(b64, validate=True)
        key = load_ssh_public_key(f"{key_type} {b64}".encode("ascii"))
    except (binascii.Error, ValueError, UnsupportedAlgorithm) as exc:
        raise InvalidPublicKey(
            "the {key_type} key's base64 part does not decode to a valid key ({reason})",
            key_type=key_type,
            reason=exc,
            hint="copy the whole line of the .pub file without changes",
        ) from exc
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise InvalidPublicKey(
            "RSA key of {bits} bits is too weak (minimum {minimum})",
            bits=key.key_size,
            minimum=MIN_RSA_BITS,
            hint="create an Ed25519 key with `ssh-keygen -t ed25519`",
        )
    if not isinstance(key, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey, rsa.RSAPublicKey)):
        raise InvalidPublicKey(
            "unsupported SSH key type {key_type}", hint="use an Ed25519 key", key_type=key_type
        )
    return SshPublicKey(key_type=key_type, blob=blob, comment=comment)


def parse_signing_public_key(text: str) -> bytes:
    """Decode base64 of a raw 32-byte Ed25519 public key; returns the raw bytes."""
    try:
        key = signing_public_key_from_b64(text, source="signing key")
    except ConfigError as exc:
        raise InvalidPublicKey(
            "signing key: " + "; ".join(msg for _, msg in exc.problems),
            hint="pass the signing PUBLIC key (base64 of 32 bytes) exactly as `syncagent init` printed it",
        ) from None
    return public_bytes(key)


def signing_fingerprint(raw: bytes) -> str:
    """Hex SHA-256 of the raw key: the ``signer`` value in sealed files' headers."""
    return fingerprint(ed25519.Ed25519PublicKey.from_public_bytes(raw))
