"""Routing by first path segment chooses what FastAPI's full walk over every route chooses."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Match

from hub.core.deps import iter_routes
from hub.core.dispatch import SegmentDispatch
from tests.hub.web.webkit import Seeded, english


def _scope(app: Any, method: str, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "app": app,
    }


def _first(routes: list[Any], scope: dict[str, Any]) -> tuple[Any, Any]:
    """What the router's loop picks: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return route, Match.FULL
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial, Match.PARTIAL if partial is not None else Match.NONE


def test_every_route_is_found_where_the_full_walk_finds_it(hub: Seeded) -> None:
    router = hub.app.router
    dispatch = router.middleware_stack
    assert isinstance(dispatch, SegmentDispatch), "create_app installs the index"
    dispatch._index()
    paths = {
        re.sub(r"\{[^}]+\}", "7", r.path) for r in iter_routes(hub.app.routes) if hasattr(r, "path")
    }
    paths |= {"/", "/nowhere", "/orders/", "/static/app.css", "/api/v1/nothing", "//x"}
    assert len(paths) > 200
    for path in sorted(paths):
        for method in ("GET", "POST", "DELETE"):
            scope = _scope(hub.app, method, path)
            seg = path.lstrip("/").split("/", 1)[0]
            short = dispatch._subs.get(seg, dispatch._any).routes
            assert len(short) < len(router.routes) or seg not in dispatch._subs
            assert _first(short, scope) == _first(router.routes, scope), (method, path)


def test_a_route_added_after_start_up_answers(fresh_hub: Seeded) -> None:
    @fresh_hub.app.get("/orders-added-later")
    def added() -> dict[str, str]:
        return {"ok": "yes"}

    client = english(fresh_hub)
    assert client.get("/orders-added-later").json() == {"ok": "yes"}
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/users/").status_code in (200, 307)  # the slash redirect, as before
