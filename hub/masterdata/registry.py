"""Which kinds of master data the hub has: each capability registers its kinds' pages here.

:func:`routers` makes the API and page routes of a capability's kinds and lists them on
the "Master data" index page (``/master``), in the order given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from hub.core.roles import Role
from hub.masterdata.api import api_for
from hub.masterdata.kind import RecordKind
from hub.masterdata.pages import pages_for

_KINDS: dict[str, tuple[int, RecordKind[Any]]] = {}


@dataclass(frozen=True)
class Page:
    """A master-data page that is not a plain list (regions, rate cards): for the index."""

    title: str  # message id
    href: str
    view_roles: frozenset[Role]
    count: Callable[[Session], int]
    help: str = ""
    order: int = 50


_PAGES: dict[str, Page] = {}


def register_page(page: Page) -> None:
    _PAGES[page.href] = page


def pages() -> list[Page]:
    return sorted(_PAGES.values(), key=lambda p: (p.order, p.href))


def register(kind: RecordKind[Any], order: int = 50) -> None:
    _KINDS[kind.slug] = (order, kind)


def kinds() -> list[RecordKind[Any]]:
    return [k for _, k in ordered()]


def ordered() -> list[tuple[int, RecordKind[Any]]]:
    """(index order, kind) of every registered kind, in that order."""
    return sorted(_KINDS.values(), key=lambda ok: (ok[0], ok[1].slug))


def routers(*entries: tuple[RecordKind[Any], int]) -> APIRouter:
    """One router with the API and the pages of each ``(kind, order)``; registers them."""
    router = APIRouter()
    for kind, order in entries:
        register(kind, order)
        router.include_router(api_for(kind))
        router.include_router(pages_for(kind))
    return router
