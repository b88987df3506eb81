"""Sealed files: signed by the reseller (Ed25519), encrypted to the hub (X25519 + AES-256-GCM).

Layout, key derivation and the order of checks are in ``docs/contract.md``
("Seal"). Everything is streamed in ``chunk_size`` frames so memory stays flat
whatever the snapshot size. Opening verifies the signature over the whole
file *before* the first plaintext byte is released (two passes over the file).
Only vetted primitives from ``cryptography`` are used; this module only frames.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Tuple, Union

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.atomic import atomic_file
from shared.errors import (
    SealTampered,
    SealTruncated,
    SealWrongRecipient,
    SealWrongSigner,
    SnapshotFormatError,
    SnapshotIntegrityError,
)
from shared.keys import fingerprint, public_bytes, short_fingerprint
from shared.manifest import KINDS, RESELLER_ID_RE, Manifest
from shared.snapshot import CHUNK, SnapshotWriter, iter_tar, load_manifest
from shared.snapshot_reader import SnapshotReader

MAGIC = b"SYNCHUB-SEAL\x00\x00\x00\x01"
MAGIC_PREFIX = MAGIC[:12]
VERSION = 1
AEAD = "AES-256-GCM"
INFO = b"synchub-seal-v1"
SIG_LEN = 64
TAG_LEN = 16
MAX_HEADER = 64 << 10
MAX_CHUNK = 16 << 20
MAX_FRAMES = 1 << 32
_HEADER_FIELDS = {
    "v",
    "reseller_id",
    "sequence",
    "kind",
    "created_at",
    "signer",
    "recipient",
    "ephemeral",
    "salt",
    "chunk_size",
    "aead",
}

Plaintext = Union[BinaryIO, Iterable[bytes]]


@dataclass(frozen=True)
class SealHeader:
    """The clear-text header: enough for the hub to route a file without any key."""

    reseller_id: str
    sequence: int
    kind: str
    created_at: dt.datetime
    signer: str  # hex SHA-256 of the reseller's raw Ed25519 public key
    recipient: str  # hex SHA-256 of the hub's raw X25519 public key
    ephemeral: bytes
    salt: bytes
    chunk_size: int
    aead: str = AEAD
    v: int = VERSION
    raw: bytes = field(default=b"", repr=False, compare=False)

    @property
    def frames_offset(self) -> int:
        return len(MAGIC) + 4 + len(self.raw)


def _canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _derive_key(shared: bytes, salt: bytes, ephemeral_pub: bytes, hub_pub: bytes) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO + ephemeral_pub + hub_pub
    )
    return hkdf.derive(shared)


def _nonce(index: int, last: bool) -> bytes:
    return b"\0" * 7 + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _chunks(plaintext: Plaintext, size: int) -> Iterator[bytes]:
    """Exactly ``size``-byte chunks (the last one shorter) from a file or an iterable of bytes."""
    read = getattr(plaintext, "read", None)
    if read is not None:
        while True:
            buf = read(size)
            while buf and len(buf) < size:
                more = read(size - len(buf))
                if not more:
                    break
                buf += more
            if not buf:
                return
            yield bytes(buf)
    else:
        pending = bytearray()
        for piece in plaintext:
            pending += piece
            while len(pending) >= size:
                yield bytes(pending[:size])
                del pending[:size]
        if pending:
            yield bytes(pending)


def _with_last(chunks: Iterator[bytes]) -> Iterator[Tuple[bytes, bool]]:
    """Pairs (chunk, is_last); an empty input still yields one empty final chunk."""
    prev: bytes | None = next(chunks, None)
    if prev is None:
        yield b"", True
        return
    for nxt in chunks:
        yield prev, False
        prev = nxt
    yield prev, True


def seal(
    plaintext: Plaintext,
    out: BinaryIO,
    *,
    signing_key: Ed25519PrivateKey,
    hub_public_key: X25519PublicKey,
    reseller_id: str,
    sequence: int,
    kind: str,
    created_at: dt.datetime,
    chunk_size: int = CHUNK,
    _ephemeral_key: X25519PrivateKey | None = None,
    _salt: bytes | None = None,
) -> SealHeader:
    """Encrypt ``plaintext`` to the hub and sign it, writing the sealed file to ``out``.

    ``_ephemeral_key`` and ``_salt`` exist only to make golden test files
    reproducible: never pass them in production (reusing them breaks secrecy).
    """
    if not RESELLER_ID_RE.match(reseller_id):
        raise ValueError(f"reseller id {reseller_id!r} must match {RESELLER_ID_RE.pattern}")
    if kind not in KINDS or sequence < 1:
        raise ValueError(f"kind must be one of {KINDS} and sequence >= 1, got {kind!r}, {sequence}")
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise ValueError("created_at must be timezone-aware")
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK}")
    eph = _ephemeral_key or X25519PrivateKey.generate()
    salt = os.urandom(16) if _salt is None else _salt
    eph_pub, hub_pub = public_bytes(eph), public_bytes(hub_public_key)
    key = _derive_key(eph.exchange(hub_public_key), salt, eph_pub, hub_pub)
    fields = {
        "v": VERSION,
        "reseller_id": reseller_id,
        "sequence": sequence,
        "kind": kind,
        "created_at": created_at.astimezone(dt.timezone.utc).isoformat(),
        "signer": fingerprint(signing_key),
        "recipient": fingerprint(hub_public_key),
        "ephemeral": base64.b64encode(eph_pub).decode(),
        "salt": base64.b64encode(salt).decode(),
        "chunk_size": chunk_size,
        "aead": AEAD,
    }
    raw = _canonical(fields)
    ad = hashlib.sha256(raw).digest()
    digest = hashlib.sha512()

    def emit(data: bytes) -> None:
        digest.update(data)
        out.write(data)

    emit(MAGIC + struct.pack(">I", len(raw)) + raw)
    aes = AESGCM(key)
    for index, (chunk, last) in enumerate(_with_last(_chunks(plaintext, chunk_size))):
        if index >= MAX_FRAMES:
            raise ValueError("plaintext too large for this chunk_size")
        ct = aes.encrypt(_nonce(index, last), chunk, ad)
        emit(struct.pack(">I", len(ct)))
        emit(ct)
    out.write(signing_key.sign(digest.digest()))
    return _parse_header(raw, "sealed file")


# --- opening ------------------------------------------------------------------


def _parse_header(raw: bytes, name: str) -> SealHeader:
    def bad(what: str) -> SealTampered:
        return SealTampered(
            f"{name}: seal header is damaged ({what})",
            hint="quarantine the file and ask the agent to resend",
            file=name,
        )

    try:
        h = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad("not JSON") from None
    if not isinstance(h, dict) or set(h) != _HEADER_FIELDS:
        raise bad("unexpected fields")
    if h["v"] != VERSION or h["aead"] != AEAD:
        raise bad(
            f"v={h['v']!r}, aead={h['aead']!r} contradict the magic (format {VERSION}, {AEAD})"
        )
    try:
        eph = base64.b64decode(h["ephemeral"], validate=True)
        salt = base64.b64decode(h["salt"], validate=True)
        created = dt.datetime.fromisoformat(h["created_at"])
    except (binascii.Error, ValueError, TypeError):
        raise bad("ephemeral, salt or created_at cannot be decoded") from None
    ok = (
        isinstance(h["reseller_id"], str)
        and RESELLER_ID_RE.match(h["reseller_id"])
        and type(h["sequence"]) is int
        and h["sequence"] >= 1
        and h["kind"] in KINDS
        and isinstance(h["signer"], str)
        and isinstance(h["recipient"], str)
        and type(h["chunk_size"]) is int
        and 1 <= h["chunk_size"] <= MAX_CHUNK
        and len(eph) == 32
        and len(salt) == 16
        and created.tzinfo is not None
    )
    if not ok:
        raise bad("a field is out of range")
    return SealHeader(
        reseller_id=h["reseller_id"],
        sequence=h["sequence"],
        kind=h["kind"],
        created_at=created.astimezone(dt.timezone.utc),
        signer=h["signer"],
        recipient=h["recipient"],
        ephemeral=eph,
        salt=salt,
        chunk_size=h["chunk_size"],
        raw=raw,
    )


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    while len(data) < n:
        more = f.read(n - len(data))
        if not more:
            break
        data += more
    return data


def _header_from(f: BinaryIO, name: str) -> SealHeader:
    magic = _read_exact(f, len(MAGIC))
    if magic != MAGIC:
        if len(magic) < len(MAGIC) and MAGIC.startswith(magic):
            raise SealTruncated(
                f"{name}: ends inside the magic ({len(magic)} bytes)",
                hint="the upload did not finish; wait for the agent to resend",
                file=name,
            )
        if magic.startswith(MAGIC_PREFIX):
            ver = int.from_bytes(magic[12:], "big")
            raise SnapshotFormatError(
                f"{name}: seal format {ver} is not supported (this program reads {VERSION})",
                hint="upgrade the hub, or configure the agent for this hub's version",
                file=name,
            )
        raise SnapshotFormatError(
            f"{name}: not a SyncHub sealed file (bad magic)", hint="quarantine it", file=name
        )
    raw_len = _read_exact(f, 4)
    if len(raw_len) < 4:
        raise SealTruncated(
            f"{name}: ends inside the header length", hint="the upload did not finish", file=name
        )
    (n,) = struct.unpack(">I", raw_len)
    if not 2 <= n <= MAX_HEADER:
        raise SealTampered(
            f"{name}: header length {n} is impossible", hint="quarantine the file", file=name
        )
    raw = _read_exact(f, n)
    if len(raw) < n:
        raise SealTruncated(
            f"{name}: ends inside the header", hint="the upload did not finish", file=name
        )
    return _parse_header(raw, name)


def read_header(path: str | os.PathLike[str]) -> SealHeader:
    """The clear-text header of a sealed file (no key needed; nothing is verified yet)."""
    with open(path, "rb") as f:
        return _header_from(f, Path(path).name)


class SealedStream(io.RawIOBase):
    """Plaintext of a sealed file whose structure and signature were already verified."""

    def __init__(self, f: BinaryIO, header: SealHeader, key: bytes, frames: int, name: str) -> None:
        super().__init__()
        self.header, self._f, self._aes, self._frames, self._name = (
            header,
            f,
            AESGCM(key),
            frames,
            name,
        )
        self._ad = hashlib.sha256(header.raw).digest()
        self._index = 0
        self._buf = memoryview(b"")
        f.seek(header.frames_offset)

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buf:
            if self._index >= self._frames:
                return 0
            (n,) = struct.unpack(">I", _read_exact(self._f, 4))
            self._buf = memoryview(
                _decrypt_frame(
                    self._aes,
                    self._index,
                    self._index == self._frames - 1,
                    _read_exact(self._f, n),
                    self._ad,
                    self._name,
                )
            )
            self._index += 1
        k = min(len(b), len(self._buf))
        b[:k] = self._buf[:k]
        self._buf = self._buf[k:]
        return k

    def close(self) -> None:
        if not self.closed:
            self._f.close()
        super().close()


def _decrypt_frame(aes: AESGCM, index: int, last: bool, ct: bytes, ad: bytes, name: str) -> bytes:
    try:
        return aes.decrypt(_nonce(index, last), ct, ad)
    except InvalidTag:
        raise SealTampered(
            f"{name}: frame {index} failed authentication (changed after sealing)",
            hint="quarantine the file and ask the agent to resend",
            file=name,
            frame=index,
        ) from None


def _walk_frames(f: BinaryIO, header: SealHeader, end: int, name: str) -> Tuple[int, int]:
    """Count frames between the header and the signature; return (count, offset of the last frame)."""
    truncated = SealTruncated(
        f"{name}: the frames run past the end of the file (incomplete upload, or damaged)",
        hint="wait for the agent to finish or resend it",
        file=name,
    )
    pos, count, last = header.frames_offset, 0, -1
    limit = header.chunk_size + TAG_LEN
    while pos < end:
        if pos + 4 > end:
            raise truncated
        f.seek(pos)
        (n,) = struct.unpack(">I", f.read(4))
        if not TAG_LEN <= n <= limit:
            raise SealTampered(
                f"{name}: frame {count} claims {n} bytes, outside 16..{limit}",
                hint="quarantine the file",
                file=name,
            )
        last, pos, count = pos, pos + 4 + n, count + 1
        if pos > end:
            raise truncated
    if count == 0:
        raise SealTruncated(
            f"{name}: no frames after the header", hint="the upload did not finish", file=name
        )
    return count, last


def open_sealed(
    path: str | os.PathLike[str],
    *,
    hub_private_key: X25519PrivateKey,
    signer_public_key: Ed25519PublicKey,
) -> SealedStream:
    """Check a sealed file in the documented order, then return its plaintext as a stream.

    Use as a context manager. Raises ``SnapshotFormatError`` (magic),
    ``SealWrongSigner``, ``SealWrongRecipient``, ``SealTruncated`` or
    ``SealTampered``; the last may also come from ``read()`` (frame tags are
    checked as the plaintext streams, after the signature has been verified).
    """
    name = Path(path).name
    f = open(path, "rb")  # noqa: SIM115 -- handed over to the returned stream
    try:
        header = _header_from(f, name)
        expected = fingerprint(signer_public_key)
        if header.signer != expected:
            raise SealWrongSigner(
                f"{name} was signed by key {short_fingerprint(header.signer)}, but reseller "
                f"{header.reseller_id}'s key is {short_fingerprint(expected)}",
                hint=f"if {header.reseller_id} rotated its key, register the new public key at the hub; otherwise quarantine the file",
                file=name,
                reseller_id=header.reseller_id,
            )
        own = fingerprint(hub_private_key)
        if header.recipient != own:
            raise SealWrongRecipient(
                f"{name} was sealed for hub key {short_fingerprint(header.recipient)}, but this hub's key is {short_fingerprint(own)}",
                hint="the agent is configured with another hub's public key: re-run `syncagent init` with this hub's key",
                file=name,
                reseller_id=header.reseller_id,
            )
        size = os.fstat(f.fileno()).st_size
        end = size - SIG_LEN
        frames, last_at = _walk_frames(f, header, end, name)
        key = _derive_key(
            hub_private_key.exchange(X25519PublicKey.from_public_bytes(header.ephemeral)),
            header.salt,
            header.ephemeral,
            public_bytes(hub_private_key),
        )
        _check_final_frame(f, header, key, frames, last_at, name)
        _verify_signature(f, end, signer_public_key, name)
        return SealedStream(f, header, key, frames, name)
    except BaseException:
        f.close()
        raise


def _check_final_frame(
    f: BinaryIO, header: SealHeader, key: bytes, frames: int, at: int, name: str
) -> None:
    """Tell an upload cut exactly at a frame boundary (+64 bytes) from tampering: no plaintext leaves."""
    f.seek(at)
    (n,) = struct.unpack(">I", f.read(4))
    ct = _read_exact(f, n)
    aes, ad = AESGCM(key), hashlib.sha256(header.raw).digest()
    for last in (True, False):
        try:
            aes.decrypt(_nonce(frames - 1, last), ct, ad)
        except InvalidTag:
            continue
        if last:
            return
        raise SealTruncated(
            f"{name}: ends after frame {frames - 1}, which is not the final frame",
            hint="the upload did not finish; wait for the agent to resend",
            file=name,
        )
    # neither: the signature check that follows reports the tampering


def _verify_signature(f: BinaryIO, end: int, signer: Ed25519PublicKey, name: str) -> None:
    f.seek(0)
    digest, left = hashlib.sha512(), end
    while left:
        block = f.read(min(CHUNK, left))
        if not block:
            raise SealTruncated(f"{name}: shrank while being verified", file=name)
        digest.update(block)
        left -= len(block)
    sig = _read_exact(f, SIG_LEN)
    try:
        signer.verify(sig, digest.digest())
    except InvalidSignature:
        raise SealTampered(
            f"{name}: the signature does not match the content (changed after sealing, or damaged)",
            hint="quarantine the file and ask the agent to resend",
            file=name,
        ) from None


# --- snapshots ----------------------------------------------------------------


def seal_snapshot(
    writer_or_dir: SnapshotWriter | str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    signing_key: Ed25519PrivateKey,
    hub_public_key: X25519PublicKey,
    chunk_size: int = CHUNK,
    _ephemeral_key: X25519PrivateKey | None = None,
    _salt: bytes | None = None,
) -> SealHeader:
    """Seal a finished snapshot (writer or directory) into ``out_path`` atomically (temp name, fsync, rename)."""
    if isinstance(writer_or_dir, SnapshotWriter):
        directory, manifest = writer_or_dir.workdir, writer_or_dir.finish()
    else:
        directory, manifest = Path(writer_or_dir), load_manifest(writer_or_dir)
    out_path = Path(out_path)
    with atomic_file(out_path, mode=0o600) as out:
        header = seal(
            iter_tar(directory, manifest, chunk_size),
            out,
            signing_key=signing_key,
            hub_public_key=hub_public_key,
            reseller_id=manifest.reseller_id,
            sequence=manifest.sequence,
            kind=manifest.kind,
            created_at=manifest.created_at,
            chunk_size=chunk_size,
            _ephemeral_key=_ephemeral_key,
            _salt=_salt,
        )
    return header


def open_snapshot(
    path: str | os.PathLike[str],
    *,
    hub_private_key: X25519PrivateKey,
    signer_public_key: Ed25519PublicKey,
    dest_dir: str | os.PathLike[str],
) -> SnapshotReader:
    """Open, verify and extract a sealed snapshot into ``dest_dir``; return a reader over it."""
    with open_sealed(
        path, hub_private_key=hub_private_key, signer_public_key=signer_public_key
    ) as stream:
        reader = SnapshotReader(stream)  # type: ignore[arg-type]
        manifest = reader.extract(dest_dir)
        while stream.read(CHUNK):  # authenticate the remaining frames (tar end padding)
            pass
        _match(stream.header, manifest, Path(path).name)
    return reader


def _match(header: SealHeader, manifest: Manifest, name: str) -> None:
    for fld in ("reseller_id", "sequence", "kind", "created_at"):
        if getattr(header, fld) != getattr(manifest, fld):
            raise SnapshotIntegrityError(
                f"{name}: the seal header says {fld}={getattr(header, fld)!r} but the manifest says {getattr(manifest, fld)!r}",
                hint="the agent that wrote it is faulty; quarantine the file",
                file=name,
                field=fld,
            )
