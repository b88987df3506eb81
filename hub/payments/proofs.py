"""Transfer proofs on disk: type by magic bytes, size-limited, random names, outside the web root.

A proof is written to a temporary file while it streams in and renamed into
place only after every check passed, so a refused upload leaves nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from shared.atomic import atomic_file
from shared.errors import DataError, TooLarge

MAX_PROOF_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
# (magic prefix, MIME type, extension) — the file name's extension is never trusted.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


class ProofRefused(DataError):
    """The uploaded proof is not an accepted type, or is empty."""


class ProofTooLarge(TooLarge):
    """The uploaded proof is over :data:`MAX_PROOF_BYTES`."""


def too_large(max_bytes: int = 0) -> ProofTooLarge:
    return ProofTooLarge(
        "the proof is larger than {limit} MB",
        hint="send a smaller photo or a compressed PDF",
        limit=(max_bytes or MAX_PROOF_BYTES) // (1024 * 1024),
    )


@dataclass(frozen=True)
class StoredProof:
    name: str
    mime: str
    size: int


def sniff(head: bytes) -> tuple[str, str]:
    for magic, mime, ext in SIGNATURES:
        if head.startswith(magic):
            return mime, ext
    raise ProofRefused(
        "the proof is not a PNG, JPEG or PDF file (its content was checked, not its name)",
        hint="upload a photo or screenshot of the transfer receipt, or the bank's PDF",
    )


def store(stream: BinaryIO, directory: Path, *, max_bytes: int = MAX_PROOF_BYTES) -> StoredProof:
    """Copy ``stream`` into ``directory`` under a random name, refusing bad type or size."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    head = stream.read(16)
    if not head:
        raise ProofRefused("the proof file is empty", hint="choose the file again and re-upload")
    mime, ext = sniff(head)
    name = secrets.token_hex(16) + ext
    size = len(head)
    with atomic_file(directory / name, mode=0o600) as out:
        out.write(head)
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large(max_bytes)
            out.write(chunk)
    return StoredProof(name, mime, size)


def path_of(directory: Path, name: str) -> Path:
    """The file of a stored proof; names are ours (hex + extension), never a user's path."""
    if not name or "/" in name or name.startswith("."):
        raise ProofRefused("invalid proof name {name}", name=repr(name))
    return directory / name


def remove(directory: Path, name: str) -> None:
    path_of(directory, name).unlink(missing_ok=True)
