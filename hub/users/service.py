"""Users: create, authenticate, change and reset passwords, language preference (no HTTP).

Every mutation is recorded in the audit log inside the same transaction.
Who may manage whom is decided here, once, for the API, the pages and the CLI:
the owner (or the CLI, ``actor=None``) manages everyone; a reseller admin only the
users of its own reseller — another reseller's users do not exist for it (404),
and it can never hand out a staff role (403).
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core import access
from hub.core.db import utcnow
from hub.core.roles import RESELLER_ROLES, Principal, Role, can_see_reseller, restrict
from hub.core.security import digest, hash_password, new_secret, verify_password
from hub.core.settings import HubSettings
from hub.resellers.service import find_reseller
from hub.users import throttle
from hub.users.models import User, WebSession
from hub.users.sessions import reseller_enabled, revoke_issued_by
from shared.errors import Conflict, DataError, Forbidden, NotFound

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")


class UserNotFound(NotFound):
    """No user with that id or name."""


class UserExists(Conflict):
    """The username is taken."""


class NotPermitted(Forbidden):
    """The actor may not do this at all (e.g. a reseller admin asking for a staff role)."""


class BadCredentials(Forbidden):
    """Unknown user, wrong password, inactive account or disabled reseller (deliberately not
    told apart)."""


def principal_of(user: User) -> Principal:
    role = Role(user.role)
    return Principal(
        role=role,
        user_id=user.id,
        username=user.username,
        reseller_id=user.reseller_id if role in RESELLER_ROLES else None,
        temporary=user.must_change_password,
    )


def public(user: User) -> dict[str, object]:
    """The audit form of a user (never the hash)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "reseller_id": user.reseller_id,
        "active": user.active,
        "locale": user.locale,
    }


def validate(username: str, role: str, reseller_id: str | None) -> tuple[str, Role]:
    problems: list[tuple[str, str]] = []
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        problems.append(("username", "use 2-64 lower-case letters, digits, . _ @ -"))
    try:
        r = Role(role)
    except ValueError:
        problems.append(("role", "choose one of " + ", ".join(x.value for x in Role)))
        r = Role.OWNER
    if r in RESELLER_ROLES and not reseller_id:
        problems.append(("reseller_id", "a reseller's user belongs to one reseller: give its id"))
    if r not in RESELLER_ROLES and reseller_id:
        problems.append(("reseller_id", "a staff user belongs to no reseller: leave it empty"))
    if problems:
        raise DataError(
            "the user is not valid", hint="fix the fields listed and try again", problems=problems
        )
    return name, r


def _scoped(actor: Principal | None) -> bool:
    """True when ``actor`` manages only its own reseller's users; refuses actors who manage none."""
    if actor is None or actor.role is Role.OWNER:
        return False
    if actor.role is Role.RESELLER_ADMIN and actor.reseller_id:
        return True
    raise NotPermitted(
        "your role ({role}) may not manage users",
        hint="ask the owner (or your reseller's admin) to do it",
        role=actor.role.value,
    )


def _check_role(actor: Principal | None, role: str) -> None:
    """A reseller admin hands out reseller roles only (an unknown role is left to :func:`validate`)."""
    if _scoped(actor) and role in {r.value for r in Role} and Role(role) not in RESELLER_ROLES:
        raise NotPermitted(
            "a reseller admin may not give the {role} role",
            hint="choose reseller or reseller_admin",
            role=role,
        )


def create_user(
    session: Session,
    actor: Principal | None,
    *,
    username: str,
    password: str,
    role: str,
    reseller_id: str | None = None,
    display_name: str = "",
    must_change_password: bool = False,
) -> User:
    """Create a user (the caller commits); password rules and role/reseller consistency are checked.

    A reseller admin's users always belong to its own reseller (naming another → 404).
    """
    _check_role(actor, role)
    if _scoped(actor):
        assert actor is not None
        if reseller_id and not can_see_reseller(actor, reseller_id):
            raise UserNotFound(
                "no reseller {reseller_id}",
                hint="you can add users to your own reseller only",
                reseller_id=reseller_id,
            )
        reseller_id = actor.reseller_id
    name, r = validate(username, role, reseller_id)
    if r in RESELLER_ROLES and reseller_id and find_reseller(session, reseller_id) is None:
        raise NotFound(
            "no reseller {reseller_id}",
            hint="enrol the reseller first, or check its id on the resellers page",
            reseller_id=reseller_id,
        )
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise UserExists(
            "username {username} is taken", hint="choose another username", username=name
        )
    now = utcnow()
    user = User(
        username=name,
        display_name=display_name or name,
        password_hash=hash_password(password),
        role=r.value,
        reseller_id=reseller_id if r in RESELLER_ROLES else None,
        active=True,
        must_change_password=must_change_password,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    try:
        with session.begin_nested():  # a taken name undoes this user only, not the caller's work
            session.add(user)
            session.flush()
    except IntegrityError:
        raise UserExists(
            "username {username} is taken", hint="choose another username", username=name
        ) from None
    record(session, actor, "user.create", "user", user.id, None, public(user))
    session.flush()
    return user


def get_user(session: Session, user_id: int, actor: Principal | None = None) -> User:
    """The user ``actor`` may manage; anyone else is reported as not found (ids do not leak)."""
    user = session.get(User, user_id)
    if user is None or (_scoped(actor) and not can_see_reseller(actor, user.reseller_id)):
        raise UserNotFound("no user #{user_id}", hint="see the users page for ids", user_id=user_id)
    return user


def list_users(
    session: Session, reseller_id: str | None = None, actor: Principal | None = None
) -> list[User]:
    """Users by name; a reseller admin's list is restricted to its own reseller."""
    stmt = select(User).order_by(User.username)
    if _scoped(actor):
        stmt = restrict(stmt, actor, User.reseller_id)  # type: ignore[arg-type]
    if reseller_id is not None:
        stmt = stmt.where(User.reseller_id == reseller_id)
    return list(session.scalars(stmt))


def authenticate(
    session: Session, settings: HubSettings, username: str, password: str, ip: str
) -> User:
    """The user if the password is right; throttled per username and address.

    Raises :class:`throttle.LockedOut` (even for a right password while locked) or
    :class:`BadCredentials`. Every attempt is recorded and committed.
    """
    name = username.strip().lower()[:64]
    throttle.check(session, settings, name, ip)
    user = session.scalar(select(User).where(User.username == name))
    ok = (
        verify_password(user.password_hash if user else None, password)
        and user is not None
        and user.active
        and (user.reseller_id is None or reseller_enabled(session, user.reseller_id))
    )
    throttle.note(session, name, ip, ok)
    # The one service that commits (docs/transactions.md): a failed attempt must be counted
    # although the sign-in fails, or throttling would forget it.
    session.commit()
    if not ok or user is None:
        raise BadCredentials("wrong username or password")
    return user


def change_password(
    session: Session, user: User, current: str, new: str, *, keep_session: str | None = None
) -> None:
    """The user's own change: needs the current password; ends the user's other sessions
    (every one but ``keep_session``, the session id of the request that asked).

    ``user`` may come from another session (the request's sign-in look-up): its row is read
    again here, fresh, and changed in ``session``.
    """
    user = session.get_one(User, user.id)
    if not verify_password(user.password_hash, current):
        raise BadCredentials("the current password is wrong")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    others = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_session is not None:
        others = others.where(WebSession.id_hash != digest(keep_session))
    session.execute(others)
    record(session, principal_of(user), "user.password_change", "user", user.id)
    session.flush()


def reset_password(session: Session, actor: Principal | None, user_id: int) -> str:
    """Admin-initiated reset: a random temporary password (returned once), to be changed at next sign-in.

    All the user's sessions end at once.
    """
    user = get_user(session, user_id, actor)
    temporary = new_secret()[:16]
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    session.query(WebSession).filter(WebSession.user_id == user.id).delete()
    record(session, actor, "user.password_reset", "user", user.id)
    session.flush()
    return temporary


def update_user(
    session: Session,
    actor: Principal | None,
    user_id: int,
    *,
    active: bool | None = None,
    role: str | None = None,
    display_name: str | None = None,
) -> User:
    user = get_user(session, user_id, actor)
    before = public(user)
    if role is not None:
        _check_role(actor, role)
        validate(user.username, role, user.reseller_id)
        user.role = role
    if display_name is not None:
        user.display_name = display_name
    if active is not None:
        user.active = active
        if not active:  # its sessions and the API tokens it issued end now
            session.query(WebSession).filter(WebSession.user_id == user.id).delete()
            revoke_issued_by(session, actor, user.id)
    record(session, actor, "user.update", "user", user.id, before, public(user))
    session.flush()
    if active is False:
        access.revoked_on_commit(session)  # this process's token cache forgets once it is so
    return user


def set_locale(session: Session, user_id: int, locale: str) -> None:
    user = session.get(User, user_id)
    if user is not None and user.locale != locale:
        user.locale = locale
        session.flush()
