"""One capability's router in an app of its own, with the typed state the app factory would build."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from hub.core.errors import install_error_handlers
from hub.core.settings import HubSettings
from hub.core.state import HubState
from hub.users.auth import Authenticator


def router_app(factory: sessionmaker[Session], settings: HubSettings | None = None) -> FastAPI:
    """A bare app whose state reads the database behind ``factory`` (include routers yourself)."""
    app = FastAPI()
    app.state.hub = HubState.build(settings or HubSettings(), factory.kw["bind"], Authenticator())
    install_error_handlers(app)  # as create_app does: one error shape
    return app
