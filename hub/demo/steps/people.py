"""Demo step: one staff account per role and an admin for each reseller (``hub.users``).

The owner is made by the hub itself (as ``synchub user add`` does); the owner then
adds everybody else, so the audit log shows who created whom.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

from hub.core.db import transaction
from hub.core.roles import STAFF, Principal, Role
from hub.demo.steps import Demo, Login
from hub.users.service import create_user, principal_of

# username per staff role: what the role is called at an Indonesian distributor
STAFF_USERS = {
    Role.OWNER: "direktur",
    Role.OPERATIONS: "operasional",
    Role.MARKETING: "pemasaran",
    Role.FINANCE: "keuangan",
    Role.INVENTORY: "gudang",
    Role.REPAIR: "servis",
    Role.PURCHASING: "pembelian",
}
assert set(STAFF_USERS) == STAFF, "every staff role has a demo login"


def admin_of(reseller_id: str) -> str:
    return f"admin-{reseller_id}"


def staff(role: Role) -> str:
    """The demo's username for a staff role."""
    return STAFF_USERS[role]


def _add(demo: Demo, actor: Principal | None, login: Login) -> Principal:
    with transaction(demo.factory) as s:
        user = create_user(
            s,
            actor,
            username=login.username,
            password=login.password,
            role=login.role,
            reseller_id=login.reseller_id,
        )
        return principal_of(user)


def seed(demo: Demo) -> str:
    logins = [
        Login(name, secrets.token_urlsafe(12), role.value) for role, name in STAFF_USERS.items()
    ]
    logins += [
        Login(admin_of(rid), secrets.token_urlsafe(12), Role.RESELLER_ADMIN.value, rid)
        for rid in demo.resellers
    ]
    owner = _add(demo, None, logins[0])  # as `synchub user add` makes the first owner
    # Each password is hashed with argon2 (deliberately slow): two at a time, one per core.
    with ThreadPoolExecutor(2) as pool:
        made = [owner, *pool.map(lambda login: _add(demo, owner, login), logins[1:])]
    for login, principal in zip(logins, made):
        demo.logins[login.username] = login
        demo.principals[login.username] = principal
    return (
        f"{len(STAFF_USERS)} staff accounts (one per role), {len(demo.resellers)} reseller admins"
    )
