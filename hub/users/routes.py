"""`/api/v1/me`, `/api/v1/users` (owner; reseller admins their own reseller's) and `/api/v1/tokens`.

Who may manage which user is decided in :mod:`hub.users.service`, not here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require, reseller_filter
from hub.core.roles import Role
from hub.core.security import SESSION_COOKIE
from hub.core.state import hub_state
from hub.resellers.service import find_reseller
from hub.users import service, sessions
from hub.users.schemas import (
    MePublic,
    PasswordChange,
    PasswordReset,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    TokensPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
    UserUpdate,
)
from shared.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1", tags=["users"])
TOKEN_ADMINS = (Role.OWNER, Role.OPERATIONS, Role.RESELLER_ADMIN)
USER_ADMINS = (Role.OWNER, Role.RESELLER_ADMIN)


@router.get("/me", dependencies=[require(temporary_ok=True)])
def me(principal: CurrentPrincipal) -> MePublic:
    """Who the request is authenticated as."""
    return MePublic(
        role=principal.role.value,
        username=principal.username,
        user_id=principal.user_id,
        reseller_id=principal.reseller_id,
        token_id=principal.token_id,
        is_staff=principal.is_staff,
    )


@router.post("/me/password", status_code=204, dependencies=[require(temporary_ok=True)])
def change_my_password(body: PasswordChange, request: Request, session: SessionDep) -> None:
    """Change your own password (users only; needs the current one)."""
    user = getattr(request.state, "user", None)
    if user is None:
        raise Forbidden("API tokens have no password", hint="sign in as a user to change one")
    keep = request.cookies.get(SESSION_COOKIE)  # this session stays, the others end
    service.change_password(session, user, body.current, body.new, keep_session=keep)


@router.get("/users", dependencies=[require(*USER_ADMINS)])
def list_users(session: SessionDep, principal: CurrentPrincipal) -> UsersPublic:
    users = [UserPublic.model_validate(u) for u in service.list_users(session, actor=principal)]
    return UsersPublic(data=users, count=len(users))


@router.post("/users", status_code=201, dependencies=[require(*USER_ADMINS)])
def create_user(body: UserCreate, session: SessionDep, principal: CurrentPrincipal) -> UserPublic:
    """A reseller admin creates reseller users of its own reseller (``reseller_id`` may be left out)."""
    user = service.create_user(
        session,
        principal,
        username=body.username,
        password=body.password,
        role=body.role,
        reseller_id=body.reseller_id,
        display_name=body.display_name,
        must_change_password=True,
    )
    return UserPublic.model_validate(user)


@router.patch("/users/{user_id}", dependencies=[require(*USER_ADMINS)])
def update_user(
    user_id: RowId, body: UserUpdate, session: SessionDep, principal: CurrentPrincipal
) -> UserPublic:
    user = service.update_user(
        session,
        principal,
        user_id,
        active=body.active,
        role=body.role,
        display_name=body.display_name,
    )
    return UserPublic.model_validate(user)


@router.post("/users/{user_id}/reset-password", dependencies=[require(*USER_ADMINS)])
def reset_password(
    user_id: RowId, session: SessionDep, principal: CurrentPrincipal
) -> PasswordReset:
    """A temporary password (shown once); the user must change it at the next sign-in."""
    return PasswordReset(temporary_password=service.reset_password(session, principal, user_id))


@router.get("/tokens", dependencies=[require(*TOKEN_ADMINS)])
def list_tokens(
    session: SessionDep, principal: CurrentPrincipal, reseller_id: str | None = None
) -> TokensPublic:
    rows = [
        TokenPublic.model_validate(t)
        for t in sessions.list_tokens(session, reseller_filter(principal, reseller_id))
    ]
    return TokensPublic(data=rows, count=len(rows))


@router.post("/tokens", status_code=201, dependencies=[require(*TOKEN_ADMINS)])
def create_token(
    body: TokenCreate, session: SessionDep, principal: CurrentPrincipal
) -> TokenCreated:
    """A Bearer token for one reseller's systems; the secret is in this answer only."""
    rid = reseller_filter(principal, body.reseller_id)
    if not rid or find_reseller(session, rid) is None:
        raise NotFound(
            "no reseller {reseller_id}",
            hint="give the reseller_id of an enrolled reseller",
            reseller_id=rid or "",
        )
    secret, row = sessions.issue_token(session, principal, rid, body.name)
    return TokenCreated(**TokenPublic.model_validate(row).model_dump(), token=secret)


@router.post("/tokens/{token_id}/revoke", dependencies=[require(*TOKEN_ADMINS)])
def revoke_token(
    token_id: RowId, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> TokenPublic:
    """Refused at once by this worker; other workers forget it within ``api_token_cache_seconds``."""
    row = sessions.revoke_token(session, principal, token_id)
    hub_state(request).authenticator.forget_token(token_id)
    return TokenPublic.model_validate(row)
