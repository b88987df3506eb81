"""Where warranty files live (outside any web root) and how they are stored and served.

Photos and supplier documents are checked by their content (PNG, JPEG or PDF), size-limited
and stored under random names by :mod:`hub.payments.proofs`; only the routes that checked
who may see the claim hand them out. A refused upload leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from fastapi import UploadFile
from fastapi.responses import FileResponse

from hub.core.i18n import translatable
from hub.payments import proofs
from shared.errors import DataError

MAX_BYTES = 8 * 1024 * 1024


def photos_dir(home: Path) -> Path:
    return home / "private" / "warranty-photos"


def documents_dir(home: Path) -> Path:
    return home / "private" / "warranty-documents"


def store_all(uploads: Iterable[Optional[UploadFile]], directory: Path) -> list[proofs.StoredProof]:
    """Store every chosen file or none: on the first refusal the ones stored are removed."""
    stored: list[proofs.StoredProof] = []
    try:
        for up in uploads:
            if up is not None and up.filename:
                try:
                    stored.append(proofs.store(up.file, directory, max_bytes=MAX_BYTES))
                except proofs.ProofRefused as exc:
                    raise translatable(
                        DataError,
                        "{name}: only PNG, JPEG or PDF files of at most {mb} MB are accepted",
                        "take the photo again or choose another file",
                        name=up.filename[:80],
                        mb=MAX_BYTES // (1024 * 1024),
                    ) from exc
    except Exception:
        remove(stored, directory)
        raise
    return stored


def remove(stored: Iterable[proofs.StoredProof], directory: Path) -> None:
    for s in stored:
        proofs.remove(directory, s.name)


def serve(directory: Path, name: str, mime: str) -> FileResponse:
    return FileResponse(
        proofs.path_of(directory, name),
        media_type=mime,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
