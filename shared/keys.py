"""Key files: the reseller's Ed25519 signing key, the hub's X25519 sealing key.

Private keys are PEM PKCS#8 (unencrypted; protected by file permissions 0600,
refused when group/other can read them, like OpenSSH does). Public keys are
one line of base64 of the raw 32 bytes, easy to paste into a config or a form.
A key is named by its fingerprint: hex SHA-256 of the raw public bytes (the
form used inside sealed files) or ``SHA256:<base64>`` for people.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from pathlib import Path
from typing import Any, Union, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from shared.atomic import write_atomic
from shared.errors import ConfigError

PrivateKey = Union[Ed25519PrivateKey, X25519PrivateKey]
PublicKey = Union[Ed25519PublicKey, X25519PublicKey]
AnyKey = Union[PrivateKey, PublicKey]

_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def generate_sealing_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def public_bytes(key: AnyKey) -> bytes:
    """Raw 32 public bytes of a key (private keys give their public half)."""
    pub = key.public_key() if isinstance(key, (Ed25519PrivateKey, X25519PrivateKey)) else key
    return pub.public_bytes(*_RAW)


def public_b64(key: AnyKey) -> str:
    return base64.b64encode(public_bytes(key)).decode("ascii")


def fingerprint(key: AnyKey) -> str:
    """Hex SHA-256 of the raw public bytes (as written in seal headers and messages)."""
    return hashlib.sha256(public_bytes(key)).hexdigest()


def short_fingerprint(key_or_hex: AnyKey | str) -> str:
    """``SHA256:<base64 without padding>`` for people (OpenSSH style); accepts a hex fingerprint."""
    if isinstance(key_or_hex, str):
        try:
            raw = bytes.fromhex(key_or_hex)
        except ValueError:
            return f"<invalid fingerprint {key_or_hex[:80]!r}>"
    else:
        raw = hashlib.sha256(public_bytes(key_or_hex)).digest()
    return "SHA256:" + base64.b64encode(raw).decode("ascii").rstrip("=")


# --- saving -------------------------------------------------------------------


def save_private_key(key: PrivateKey, path: str | os.PathLike[str]) -> None:
    """Write PEM PKCS#8 with mode 0600 (atomically: temp file then rename)."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_atomic(path, pem, mode=0o600)


def save_public_key(key: AnyKey, path: str | os.PathLike[str]) -> None:
    """Write base64 of the raw public bytes plus a newline (mode 0644)."""
    write_atomic(path, (public_b64(key) + "\n").encode("ascii"), mode=0o644)


# --- loading ------------------------------------------------------------------


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [(str(path), f"{what} file is missing")], hint="check the path, or generate the key"
        ) from None
    except IsADirectoryError:
        raise ConfigError([(str(path), f"{what} path is a directory, not a key file")]) from None
    except OSError as e:
        raise ConfigError(
            [(str(path), f"{what} file is unreadable: {e.strerror}")],
            hint="check its owner and permissions",
        ) from None


def _check_private_perms(path: Path) -> None:
    if os.name != "posix":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            [
                (
                    str(path),
                    f"private key permissions {mode:04o} are too open (group/others can access it)",
                )
            ],
            hint=f"run: chmod 600 {path}",
        )


def _load_private(path: str | os.PathLike[str], cls: type[Any], what: str) -> Any:
    p = Path(path)
    data = _read(p, what)
    _check_private_perms(p)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise ConfigError(
            [(str(p), f"{what} file is not an unencrypted PEM PKCS#8 private key ({e})")]
        ) from None
    if not isinstance(key, cls):
        raise ConfigError(
            [
                (
                    str(p),
                    f"{what} file holds a {type(key).__name__.lstrip('_')}, expected {cls.__name__}",
                )
            ],
            hint="signing keys are Ed25519, sealing keys are X25519: check you gave the right file",
        )
    return key


def load_signing_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    return cast(Ed25519PrivateKey, _load_private(path, Ed25519PrivateKey, "signing key"))


def load_sealing_key(path: str | os.PathLike[str]) -> X25519PrivateKey:
    return cast(X25519PrivateKey, _load_private(path, X25519PrivateKey, "sealing key"))


def signing_public_key_from_b64(text: str, *, source: str = "") -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw32(text, source or "signing public key"))


def sealing_public_key_from_b64(text: str, *, source: str = "") -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(_raw32(text, source or "sealing public key"))


def _raw32(text: str, source: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(
            [(source, "public key is not valid base64")],
            hint="paste the one-line key exactly as shown",
        ) from None
    if len(raw) != 32:
        raise ConfigError(
            [(source, f"public key must be 32 bytes, got {len(raw)}")],
            hint="expected base64 of a raw Ed25519/X25519 public key (44 characters)",
        )
    return raw


def load_signing_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    p = Path(path)
    return signing_public_key_from_b64(
        _read(p, "signing public key").decode("ascii", "replace"), source=str(p)
    )


def load_sealing_public_key(path: str | os.PathLike[str]) -> X25519PublicKey:
    p = Path(path)
    return sealing_public_key_from_b64(
        _read(p, "sealing public key").decode("ascii", "replace"), source=str(p)
    )
