"""The app factory: builds settings-dependent state and includes each capability's router.

Every route must declare who may use it (``hub.core.deps.require`` / ``public``);
``tests/hub/web/test_role_matrix.py`` fails for any route that does not.
"""

from __future__ import annotations

import gc
import importlib
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Callable

from anyio import to_thread
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import hub.periods.guard  # noqa: F401  (closed months are locked for every session)
from hub.core.bodies import DEFAULT_BODY_LIMIT, RequestBodies
from hub.core.deps import mark_public, public
from hub.core.dispatch import index_routes
from hub.core.errors import install_error_handlers
from hub.core.headers import DOCS_CSP, SecurityHeaders
from hub.core.metrics import HttpLatency
from hub.core.openapi import install_openapi
from hub.core.runtime import open_hub
from hub.core.settings import HubSettings, load_settings
from hub.core.state import HubState
from shared import __version__

STATIC = Path(__file__).resolve().parent / "web" / "static"

# (module, attribute) of each capability's APIRouter. Routing is a linear scan and API paths
# (all under /api/) never overlap page paths, so the routers reseller systems call at volume
# (orders, shipping quotes) come first: matching a page first cost an API call ~15 % of its CPU.
ROUTERS: list[tuple[str, str]] = [
    ("hub.orders.routes", "router"),
    ("hub.shipping.routes", "router"),
    ("hub.payments.routes", "router"),
    ("hub.inventory.routes", "router"),
    ("hub.purchasing.routes", "router"),
    ("hub.purchasing.payables_routes", "router"),
    ("hub.warranty.routes", "router"),
    ("hub.care.routes", "router"),
    ("hub.catalog.routes", "router"),
    ("hub.offers.routes", "router"),
    ("hub.campaigns.routes", "router"),
    ("hub.users.routes", "router"),
    ("hub.audit.routes", "router"),
    ("hub.resellers.routes", "router"),
    ("hub.resellers.routes", "enrol_router"),
    ("hub.ingest.routes", "router"),
    ("hub.data.routes", "router"),
    ("hub.data.mapping_routes", "router"),
    ("hub.monitoring.routes", "router"),
    ("hub.reports.routes", "router"),
    ("hub.web.auth_pages", "router"),
    ("hub.resellers.pages", "router"),  # before ops_pages: /resellers/new is not an id
    ("hub.web.ops_pages", "router"),
    ("hub.web.data_pages", "router"),
    ("hub.web.admin_pages", "router"),
    ("hub.catalog.pages", "router"),
    ("hub.offers.pages", "router"),
    ("hub.orders.pages", "router"),
    ("hub.orders.staff_pages", "router"),
    ("hub.payments.pages", "router"),
    ("hub.shipping.pages", "router"),
    ("hub.catalog.admin_pages", "router"),
    ("hub.shipping.admin_pages", "router"),
    ("hub.inventory.pages", "router"),
    ("hub.notifications.admin_pages", "router"),
    ("hub.notifications.admin_pages", "api"),
    ("hub.campaigns.pages", "router"),
    ("hub.masterdata.index_pages", "router"),
    ("hub.mapping.pages", "router"),
    ("hub.purchasing.pages", "router"),
    ("hub.purchasing.pages_money", "router"),
    ("hub.warranty.pages", "router"),
    ("hub.care.pages", "router"),
    ("hub.agentdist.pages", "router"),
    ("hub.reports.pages", "router"),
    ("hub.portal.pages", "router"),
    ("hub.portal.address_pages", "router"),
    ("hub.portal.contact_pages", "router"),
    ("hub.portal.password_pages", "router"),
    ("hub.portal.profile_pages", "router"),
    ("hub.portal.downpayment_pages", "router"),
    ("hub.portal.photo_routes", "router"),
]


# API paths of the first release, outside /api/v1: answered with a permanent redirect that keeps
# the method and the body (308) for one more release, then removed (docs/api.md).
LEGACY_API = ("orders", "inventory", "payments")
REDIRECTED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def _legacy_redirects(app: FastAPI) -> None:
    for name in LEGACY_API:

        @app.api_route(
            f"/api/{name}{{rest:path}}",
            methods=REDIRECTED_METHODS,
            include_in_schema=False,
            dependencies=[public()],
        )
        def moved(request: Request, rest: str, name: str = name) -> Response:
            target = f"/api/v1/{name}{rest}"
            if request.url.query:
                target += f"?{request.url.query}"
            return Response(
                status_code=308,
                headers={
                    "Location": target,
                    "Deprecation": "true",
                    "Link": f'<{target}>; rel="successor-version"',
                },
            )


def _docs(app: FastAPI) -> None:
    install_openapi(app)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[public()])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False, dependencies=[public()])
    def docs() -> Response:
        # Vendored assets (the hub often runs on a closed network: no CDN), started by a file
        # rather than an inline script (the pages' Content-Security-Policy allows no inline script).
        return HTMLResponse(DOCS_PAGE, headers={"Content-Security-Policy": DOCS_CSP})


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SyncHub API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/vendor/swagger-ui/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>
"""


def _lifespan(settings: HubSettings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Blocking requests (sync routes) run in AnyIO's thread pool, 40 threads by default: with more
        # threads than pooled connections, requests queue for a connection while holding a thread,
        # and extra connections are opened and closed under load. One thread per pooled connection.
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        # Everything loaded so far (modules, routes, mappers: most of the heap) lives as long as the
        # process: keep it out of the cyclic collector's full passes, which otherwise stall requests.
        gc.collect()  # garbage of start-up first, or it would be frozen too
        gc.freeze()
        yield

    return lifespan


def create_app(settings: HubSettings | None = None) -> FastAPI:
    settings = (settings or load_settings(web=True)).check(web=True)
    engine, _factory = open_hub(settings)
    app = FastAPI(
        title="SyncHub",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan(settings),
    )
    from hub.users.auth import Authenticator

    app.state.hub = HubState.build(
        settings, engine, Authenticator(settings.api_token_cache_seconds)
    )
    install_error_handlers(app)
    _docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    mark_public(app.routes[-1])
    for module_name, attr in ROUTERS:
        # Every route reads at most DEFAULT_BODY_LIMIT, unless it declares its own (uploads).
        # Set per route (not on the app), so the 413 passes RequestBodies and gets the one shape.
        router = getattr(importlib.import_module(module_name), attr)
        app.include_router(router, max_body_size=DEFAULT_BODY_LIMIT)
    _legacy_redirects(app)
    index_routes(app)
    trusted = [h.strip() for h in settings.trusted_proxies.split(",") if h.strip()]
    app.add_middleware(RequestBodies)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HttpLatency)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted or "127.0.0.1")
    return app


__all__ = ["ROUTERS", "create_app", "HTTPException"]
