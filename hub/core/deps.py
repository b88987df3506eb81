"""Dependency aliases for routes: import these, never build sessions or check roles in a route.

* ``SessionDep`` / ``SettingsDep`` / ``HubDep``: the request's database session (read-only
  for GET/HEAD/OPTIONS), the hub settings, the app's typed state (:mod:`hub.core.state`).
* ``CurrentPrincipal``: who is calling (session cookie, or ``Authorization: Bearer`` API token).
* ``require(*roles)``: the ONE role guard. Every route declares who may use it with
  ``dependencies=[require(Role.OWNER, ...)]`` (or ``public()`` for sign-in pages);
  :func:`declared_access` reads the declaration back, so a test can fail any route
  that has none. A route whose path has ``{reseller_id}`` is scoped automatically:
  a reseller principal addressing another reseller gets 404.
* Row scoping in queries: :func:`hub.core.roles.restrict`; list filters: :func:`reseller_filter`.

Cookie-authenticated unsafe requests (POST/PUT/PATCH/DELETE) must carry the
session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, Any, AsyncIterator, Callable, Iterator

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from hub.core.roles import EVERYONE, PasswordChangeRequired, Principal, Role, can_see_reseller
from hub.core.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, same
from hub.core.settings import HubSettings
from hub.core.state import HubState, hub_state
from shared.errors import Forbidden, NotFound

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"  # the access of sign-in page, static files, OpenAPI document


class NotAuthenticated(HTTPException):
    """No valid session or token: API answers 401, pages redirect to the sign-in page."""

    def __init__(self) -> None:
        super().__init__(
            401,
            "sign in first (session cookie) or send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work (docs/transactions.md): one transaction per request.

    GET/HEAD/OPTIONS get a read-only session: no write lock on SQLite (a deferred ``BEGIN``:
    under WAL it reads a consistent snapshot while a writer works) and any write refused,
    so a page never waits for an ingest merge and never holds up the next request. Other
    methods get a write session, committed here when the route returns (before the
    response is sent: ``SessionDep`` is scoped to the route function) and rolled back when
    it raises. Services never commit. Opening a session does no I/O, so it happens on the
    event loop; commit and close with a connection go to the thread pool.
    """
    async with _unit_of_work(request, writes=request.method not in SAFE_METHODS) as session:
        yield session


async def get_write_session(request: Request) -> AsyncIterator[Session]:
    """A write unit of work whatever the method: for the rare GET that must write (the
    language switch link saves the user's preference). Declared, so it stays rare."""
    async with _unit_of_work(request, writes=True) as session:
        yield session


@asynccontextmanager  # not a bare generator: an error in the route must close the session now
async def _unit_of_work(request: Request, *, writes: bool) -> AsyncIterator[Session]:
    state = hub_state(request)
    gate = state.write_gate() if writes else None
    if gate is not None:
        await gate.acquire()
    session = (state.session_factory if writes else state.read_factory)()
    try:
        yield session
        if writes and session.in_transaction():
            await to_thread.run_sync(session.commit, limiter=_releasing())
    finally:
        try:
            if session.in_transaction():
                await to_thread.run_sync(session.close, limiter=_releasing())
            else:
                session.close()
        finally:
            if gate is not None:
                gate.release()


_RELEASING: list[CapacityLimiter] = []


def _releasing() -> CapacityLimiter:
    """Threads of their own for ending transactions (commit, or close = roll back).

    Ending one releases SQLite's write lock and a pooled connection: if it queued for the
    request thread pool, whose threads may all be requests waiting for that very lock or
    connection, nothing would move until the database's busy timeout (seen in the soak).
    """
    if not _RELEASING:
        _RELEASING.append(CapacityLimiter(8))
    return _RELEASING[0]


def get_hub(request: Request) -> HubState:
    return hub_state(request)


def get_settings(request: Request) -> HubSettings:
    return hub_state(request).settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
# A row id in a path: bounded, so a huge number is a 422, not a database overflow.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SettingsDep = Annotated[HubSettings, Depends(get_settings)]
HubDep = Annotated[HubState, Depends(get_hub)]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if not sent and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get(CSRF_FIELD) or "")
    if not same(sent, expected):
        raise HTTPException(
            403, "CSRF token missing or wrong: reload the page and submit the form again"
        )


def _session_lookup(state: HubState, sid: str) -> tuple[Principal, Any, str] | None:
    with state.read_factory() as session:
        return state.authenticator.from_session(session, sid)


async def optional_principal(request: Request) -> Principal | None:
    """The caller, or None when not signed in. Caches on ``request.state``; checks CSRF.

    Reads with a short read-only session of its own, in the thread pool, opened only when it
    must read: an API token still in the cache costs no session at all (and no per-request
    generator dependency, a tenth of a placed order's framework time).
    """
    if hasattr(request.state, "principal"):
        return request.state.principal
    state = hub_state(request)
    auth = state.authenticator
    principal: Principal | None = None
    token = _bearer(request)
    if token is not None:
        principal = auth.cached_token(token)
        if principal is None:
            principal = await run_in_threadpool(auth.from_token, state.read_factory, token)
        if principal is None:
            raise HTTPException(
                401, "the API token is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
            )
    elif sid := request.cookies.get(SESSION_COOKIE):
        # In the thread pool, on a read-only session: a look-up on the event loop would stall
        # every other request while it waits for the database.
        found = await run_in_threadpool(_session_lookup, state, sid)
        if found is not None:
            principal, request.state.user, request.state.csrf_token = found
            # Pages read the preference as a plain value: error pages render after the session closed.
            request.state.user_locale = request.state.user.locale
            if request.method not in SAFE_METHODS:
                await _check_csrf(request, request.state.csrf_token)
    request.state.principal = principal
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require(*roles: Role, temporary_ok: bool = False) -> Any:
    """The role guard: ``dependencies=[require(Role.OWNER, Role.OPERATIONS)]``; no roles = anyone signed in.

    Also enforces reseller scoping for paths with ``{reseller_id}`` (404, so ids do not leak),
    and a temporary password (an admin's reset): only routes declared ``temporary_ok`` (see
    the password, sign out) serve a session signed in with one.
    """
    allowed = frozenset(roles) if roles else EVERYONE

    async def guard(request: Request, principal: OptionalPrincipal) -> Principal:
        # OptionalPrincipal, not CurrentPrincipal: one dependency level less on every guarded request
        if principal is None:
            raise NotAuthenticated()
        if principal.temporary and not temporary_ok:
            raise PasswordChangeRequired(
                "you signed in with a temporary password: change it first",
                hint="choose your own password on the account page (/account)",
            )
        if principal.role not in allowed:
            raise Forbidden(
                "your role ({role}) may not use this page or endpoint", role=principal.role.value
            )
        rid = request.path_params.get("reseller_id")
        if rid is not None and (
            not can_see_reseller(principal, str(rid))
            or (
                principal.is_staff
                and not await run_in_threadpool(_reseller_exists, request, str(rid))
            )
        ):
            raise NotFound("no reseller {reseller_id}", reseller_id=str(rid))
        return principal

    guard.allowed_roles = allowed  # type: ignore[attr-defined]
    return Depends(guard)


_RESELLERS = table("resellers", column("id"))


def _reseller_exists(request: Request, reseller_id: str) -> bool:
    """A path naming a reseller that is not enrolled answers 404 like one of another reseller's."""
    with hub_state(request).read_factory() as session:
        found = session.scalar(select(_RESELLERS.c.id).where(_RESELLERS.c.id == reseller_id))
        session.commit()  # end the read (SQLite)
    return found is not None


def public() -> Any:
    """Declares a route usable without signing in (sign-in page, language switch, OpenAPI)."""

    def anyone() -> None:
        return None

    anyone.allowed_roles = PUBLIC  # type: ignore[attr-defined]
    return Depends(anyone)


def _declarations(dependant: Any) -> Iterator[Any]:
    for dep in getattr(dependant, "dependencies", []):
        if hasattr(dep.call, "allowed_roles"):
            yield dep.call.allowed_roles
        yield from _declarations(dep)


def declared_access(route: Any) -> frozenset[Role] | str | None:
    """What a route declared: a set of roles, :data:`PUBLIC`, or None (undeclared — a bug)."""
    if hasattr(route, "allowed_roles"):  # mounts (static files) carry it as an attribute
        return route.allowed_roles
    found = list(_declarations(getattr(route, "dependant", None)))
    if not found:
        return None
    roles = [f for f in found if f != PUBLIC]
    if not roles:
        return PUBLIC
    out = frozenset(EVERYONE)
    for r in roles:
        out &= r
    return out


def reseller_filter(principal: Principal, requested: str | None) -> str | None:
    """The reseller a list may show: staff any (or all with None), a reseller only its own."""
    return requested if principal.is_staff else principal.reseller_id


def mark_public(route: Any) -> Any:
    """For mounts and framework routes that cannot take dependencies (static files)."""
    route.allowed_roles = PUBLIC
    return route


Guard = Callable[..., Any]
__all__ = [
    "CurrentPrincipal",
    "OptionalPrincipal",
    "RowId",
    "SessionDep",
    "WriteSessionDep",
    "SettingsDep",
    "HubDep",
    "get_hub",
    "require",
    "public",
    "declared_access",
    "iter_routes",
    "reseller_filter",
    "NotAuthenticated",
    "get_session",
    "get_settings",
    "PUBLIC",
]


def iter_routes(routes: Any) -> Iterator[Any]:
    """Every endpoint of an app, flattened (newer FastAPI nests included routers in ``app.routes``)."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from iter_routes(route.effective_candidates())
        else:
            yield route
