"""Dependency aliases for routes: import these, never build sessions in a route.

The app factory stores the session factory on ``app.state``; routes declare
``session: SessionDep``. Role guards and reseller scoping live here too, so
every capability's routes import only downward.
"""

from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from hub.core.settings import HubSettings


def get_session(request: Request) -> Iterator[Session]:
    factory = request.app.state.session_factory
    with factory() as session:
        yield session


def get_settings(request: Request) -> HubSettings:
    return request.app.state.settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[HubSettings, Depends(get_settings)]
