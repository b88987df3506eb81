"""Requests routed by their first path segment.

FastAPI finds a request's route by asking every included router, in order, whether one of
its routes matches; with every capability's pages and API on one app that walk cost more
than the bare page itself (2.5 ms for ``/master``, the 41st router, on the bench machine:
bench/README.md). Here each first segment (``orders`` of ``/orders/7``) keeps the list of
the app's routes that could match it, in the app's order, and the app's own loop runs over
that short list. Routes whose first segment is a parameter, or whose paths cannot be read,
are in every list; a route added after start-up rebuilds the index. The outcome — the route
chosen, 404, 405, the slash redirect — is the full loop's, since the routes left out cannot
match the request's first segment.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount
from starlette.types import Receive, Scope, Send

ANY = None  # "any first segment": a parameter, or paths this module cannot read


def first_segment(path: str) -> str | None:
    """``orders`` of ``/orders/{id}``; :data:`ANY` when the first segment is a parameter."""
    head = path.lstrip("/").split("/", 1)[0]
    return ANY if "{" in head else head


def _paths(route: BaseRoute, prefix: str = "") -> Iterator[str | None]:
    """Every path ``route`` can answer (``None``: unknown, so any); an included router's are
    its routes' paths under the prefix it was included with."""
    inner = getattr(route, "original_router", None)  # FastAPI's included router
    if inner is not None:
        context = getattr(route, "include_context", None)
        nested = prefix + str(getattr(context, "prefix", "") or "")
        for child in inner.routes:
            yield from _paths(child, nested)
        return
    path = getattr(route, "path", None)
    if path is None or (isinstance(route, Mount) and not (prefix + path).strip("/")):
        yield None  # a host route, or a mount at the root: it can answer any path
        return
    yield prefix + str(path)


def _segments(route: BaseRoute) -> set[str | None]:
    return {ANY if p is None else first_segment(p) for p in _paths(route)}


class SegmentDispatch:
    """The app router's own dispatch, over the routes that can match the first segment."""

    def __init__(self, router: Any) -> None:
        self._router = router
        self._built_for: list[BaseRoute] | None = None
        self._built_len = -1
        self._subs: dict[str, Any] = {}
        self._any: Any = router

    def _index(self) -> None:
        routes: list[BaseRoute] = self._router.routes
        if routes is self._built_for and len(routes) == self._built_len:
            return
        per_route = [(r, _segments(r)) for r in routes]
        named = {s for _, segs in per_route for s in segs if s is not ANY}
        self._subs = {
            s: self._sub([r for r, segs in per_route if s in segs or ANY in segs]) for s in named
        }
        self._any = self._sub([r for r, segs in per_route if ANY in segs])
        self._built_for, self._built_len = routes, len(routes)

    def _sub(self, routes: list[BaseRoute]) -> Any:
        sub = copy.copy(self._router)  # the same settings (404, slash redirect, form limits)
        sub.routes = routes
        return sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._router.app(scope, receive, send)
            return
        self._index()
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        sub = self._subs.get(first_segment(path) or "", self._any)
        scope.setdefault("router", self._router)  # url_for sees every route, not the list
        await sub.app(scope, receive, send)


def index_routes(app: FastAPI) -> bool:
    """Route ``app``'s requests through :class:`SegmentDispatch`; False (nothing changed) when
    the router's dispatch is not its plain loop (router-level middleware)."""
    router = app.router
    if router.middleware_stack != router.app:
        return False
    router.middleware_stack = SegmentDispatch(router)
    return True
