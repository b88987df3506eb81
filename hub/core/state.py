"""The app's state, typed: what the app factory builds once and every route reads.

One object on ``app.state.hub`` instead of loose ``app.state.*`` attributes: a route
reads it through :data:`hub.core.deps.HubDep` (or :func:`hub_state`), mypy checks every
use, and a test app builds one with :meth:`HubState.build`. Capabilities keep objects
of their own here (the order context, the live rate provider) with :meth:`HubState.part`,
keyed by type, so core names no capability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, TypeVar

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from hub.core.db import read_only_session_factory, session_factory
from hub.core.roles import Principal
from hub.core.settings import HubSettings

T = TypeVar("T")


class Authenticates(Protocol):
    """What :mod:`hub.core.deps` needs of ``hub.users.auth.Authenticator`` (core cannot import users)."""

    def cached_token(self, token: str) -> Principal | None: ...

    def from_token(self, open_session: Callable[[], Session], token: str) -> Principal | None: ...

    def from_session(self, session: Session, sid: str) -> tuple[Principal, Any, str] | None: ...

    def forget_token(self, token_id: int) -> None: ...


@dataclass
class HubState:
    settings: HubSettings
    engine: Engine
    session_factory: sessionmaker[Session]  # write transactions (BEGIN IMMEDIATE on SQLite)
    read_factory: sessionmaker[Session]  # read-only transactions: no write lock, writes refused
    authenticator: Authenticates
    # Orders placed on the event loop instead of the thread pool (HubSettings.inline_order_placement).
    inline_order_placement: bool = False
    _parts: dict[type, Any] = field(default_factory=dict, repr=False)
    _gate: list[anyio.Lock] = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, settings: HubSettings, engine: Engine, authenticator: Authenticates) -> HubState:
        inline = settings.inline_order_placement
        return cls(
            settings=settings,
            engine=engine,
            session_factory=session_factory(engine),
            read_factory=read_only_session_factory(engine),
            authenticator=authenticator,
            inline_order_placement=engine.dialect.name == "postgresql"
            if inline is None
            else inline,
        )

    def write_gate(self) -> anyio.Lock | None:
        """On SQLite, the one lock write requests of this process take, on the event loop,
        before their transaction; None elsewhere.

        SQLite has one writer at a time anyway. Without the gate, writers waiting for its
        lock sit in the request thread pool (busy timeout: 30 s) while the writer holding
        it needs a thread of that same pool to serialize its response before it commits:
        every thread waits, nobody commits (seen in the soak test). Waiting on the loop
        holds no thread, so readers keep being served. PostgreSQL takes concurrent writers.
        """
        if self.engine.dialect.name != "sqlite":
            return None
        if not self._gate:
            self._gate.append(anyio.Lock())
        return self._gate[0]

    def part(self, kind: type[T], build: Callable[[], T]) -> T:
        """The app's one ``kind`` object, built by ``build`` on first use."""
        if kind not in self._parts:
            self._parts[kind] = build()
        return self._parts[kind]

    def put(self, kind: type[T], value: T) -> None:
        """Replace the app's ``kind`` object (tests and benchmarks plug their own seams in)."""
        self._parts[kind] = value


def hub_state(conn: HTTPConnection) -> HubState:
    """The state of the app serving ``conn`` (a request)."""
    state: HubState = conn.app.state.hub
    return state
