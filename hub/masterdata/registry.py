"""Which kinds of master data the hub has: each capability registers its kinds' pages here.

:func:`routers` makes the API and page routes of a capability's kinds and lists them on
the "Master data" index page (``/master``), in the order given.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.masterdata.api import api_for
from hub.masterdata.kind import RecordKind
from hub.masterdata.pages import pages_for

_KINDS: dict[str, tuple[int, RecordKind[Any]]] = {}


def register(kind: RecordKind[Any], order: int = 50) -> None:
    _KINDS[kind.slug] = (order, kind)


def kinds() -> list[RecordKind[Any]]:
    return [k for _, k in sorted(_KINDS.values(), key=lambda ok: (ok[0], ok[1].slug))]


def routers(*entries: tuple[RecordKind[Any], int]) -> APIRouter:
    """One router with the API and the pages of each ``(kind, order)``; registers them."""
    router = APIRouter()
    for kind, order in entries:
        register(kind, order)
        router.include_router(api_for(kind))
        router.include_router(pages_for(kind))
    return router
