"""A posted HTML form as the person typed it, for pages that re-render it on a refusal.

Pages keep every field as text (numbers are read in the reader's language by the page, not
by FastAPI) and hand the same mapping back to the template when a change is refused, so one
dependency replaces a ``Form("")`` parameter per field plus a dict that repeats them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request


class Posted(dict[str, str]):
    """Text fields of a posted form; a field that was not sent reads as ``""``."""

    def __missing__(self, key: str) -> str:
        return ""


async def posted(request: Request) -> Posted:
    """The posted text fields (file uploads are read apart, by the pages that take them)."""
    return Posted((k, v) for k, v in (await request.form()).items() if isinstance(v, str))


async def posted_with_files(request: Request) -> tuple[Posted, list[Any]]:
    """The posted text fields, and the uploaded files (every file field, in order)."""
    form = await request.form()
    files = [v for _, v in form.multi_items() if not isinstance(v, str)]
    return Posted((k, v) for k, v in form.items() if isinstance(v, str)), files


PostedForm = Annotated[Posted, Depends(posted)]
