"""Uploaded files kept between a preview and its confirmation (one folder per kind of import).

An upload is named by a random id (never by anything the person sent), so the confirm
step cannot be pointed at another file; files older than a day are swept away.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from pathlib import Path
from typing import Any

from hub.core.i18n import translatable
from shared.errors import DataError, NotFound, TooLarge

UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
KEPT_SECONDS = 24 * 3600
MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_BODY_LIMIT = MAX_UPLOAD + 64 * 1024  # an upload route's max_body_size: file + form fields
_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def read_upload(file: Any) -> tuple[str, bytes]:
    """(name, bytes) of an uploaded file (a Starlette ``UploadFile`` or None), read in full.

    Missing or empty: ``DataError``; over :data:`MAX_UPLOAD`: ``TooLarge`` — both say what
    to do. Synchronous on purpose: routes that parse the file run in the thread pool.
    """
    name = (getattr(file, "filename", None) or "") if file is not None else ""
    data = file.file.read(MAX_UPLOAD + 1) if file is not None else b""
    if not name or not data:
        raise translatable(DataError, "choose a .csv or .xlsx file")
    if len(data) > MAX_UPLOAD:
        raise translatable(TooLarge, "the file is larger than 20 MiB: split it")
    return name, data


class Staging:
    def __init__(self, home: Path | str, area: str) -> None:
        self.root = Path(home) / "staging" / area

    def put(self, filename: str, data: bytes) -> str:
        """Keep ``data``; the returned id names it in the confirm step."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._sweep()
        upload = secrets.token_hex(16)
        safe = _SAFE.sub("_", Path(filename).name)[:120] or "upload"
        (self.root / f"{upload}--{safe}").write_bytes(data)
        return upload

    def get(self, upload: str) -> tuple[str, bytes]:
        """(original file name, bytes) of a kept upload; ``NotFound`` when unknown or swept."""
        path = self._path(upload)
        return path.name.split("--", 1)[1], path.read_bytes()

    def drop(self, upload: str) -> None:
        with contextlib.suppress(NotFound):
            self._path(upload).unlink(missing_ok=True)

    def _path(self, upload: str) -> Path:
        if UPLOAD_ID.match(upload) and self.root.is_dir():
            for path in self.root.glob(f"{upload}--*"):
                return path
        raise translatable(
            NotFound,
            "this upload is no longer kept",
            "upload the file again (previews are kept for a day)",
        )

    def _sweep(self) -> None:
        cutoff = time.time() - KEPT_SECONDS
        for old in self.root.iterdir():
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
