"""The app factory: builds settings-dependent state and includes each capability's router."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from hub.core.runtime import open_hub
from hub.core.settings import HubSettings

# (module, attribute) of each capability's APIRouter.
ROUTERS: list[tuple[str, str]] = [
]


def create_app(settings: HubSettings | None = None) -> FastAPI:
    settings = settings or HubSettings()
    settings.check_secrets()
    engine, factory = open_hub(settings)
    app = FastAPI(title="SyncHub", version="0.1.0", docs_url="/api/docs", openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    for module_name, attr in ROUTERS:
        app.include_router(getattr(importlib.import_module(module_name), attr))
    return app
