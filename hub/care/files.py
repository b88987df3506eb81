"""Where ticket attachments live (outside any web root) and how an upload becomes one. Files
are checked by content (PNG, JPEG or PDF, at most 8 MB), stored under random names and served
as warranty photos are (:mod:`hub.warranty.files`): only a route that checked who may see the
ticket hands one out. A refused upload leaves no file and no row behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy.orm import Session

from hub.care import service
from hub.care.models import Ticket
from hub.core.roles import Principal
from hub.warranty.files import MAX_BYTES, remove, serve, store_all
from shared.errors import DataError

MAX_FILES = 5
UPLOAD_LIMIT = MAX_FILES * MAX_BYTES + 64 * 1024  # a request's body: the files and the form


def attachments_dir(home: Path) -> Path:
    return home / "private" / "care-attachments"


def attach_uploads(
    session: Session,
    principal: Principal,
    ticket_id: int,
    uploads: Sequence[Any],
    home: Path,
    now: dt.datetime,
) -> Ticket:
    """Store the chosen files (at most :data:`MAX_FILES`) and attach them to the ticket."""
    ticket = service.get_ticket(session, principal, ticket_id)  # another reseller's: not found
    chosen = [u for u in uploads if u is not None and u.filename][:MAX_FILES]
    if not chosen:
        raise DataError("choose a file to attach", hint="a photo (PNG, JPEG) or a PDF")
    directory = attachments_dir(home)
    stored = store_all(chosen, directory)
    try:
        for upload, kept in zip(chosen, stored):
            service.attach(session, principal, ticket, kept, str(upload.filename), now)
    except Exception:
        remove(stored, directory)
        raise
    return ticket


__all__ = ["MAX_FILES", "UPLOAD_LIMIT", "attach_uploads", "attachments_dir", "serve"]
