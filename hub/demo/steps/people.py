"""Demo step: one staff account per role and an admin for each reseller (``hub.users``).

The owner is made by the hub itself (as ``synchub user add`` does); the owner then
adds everybody else, so the audit log shows who created whom.
"""

from __future__ import annotations

import secrets

from hub.core.db import transaction
from hub.core.roles import STAFF, Role
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


def seed(demo: Demo) -> str:
    with transaction(demo.factory) as s:
        owner = None
        for role, username in STAFF_USERS.items():
            password = secrets.token_urlsafe(12)
            user = create_user(s, owner, username=username, password=password, role=role.value)
            demo.logins[username] = Login(username, password, role.value)
            demo.principals[username] = principal_of(user)
            if owner is None:
                owner = principal_of(user)
        for rid in demo.resellers:
            username, password = admin_of(rid), secrets.token_urlsafe(12)
            user = create_user(
                s,
                owner,
                username=username,
                password=password,
                role=Role.RESELLER_ADMIN.value,
                reseller_id=rid,
            )
            demo.logins[username] = Login(username, password, user.role, rid)
            demo.principals[username] = principal_of(user)
    return (
        f"{len(STAFF_USERS)} staff accounts (one per role), {len(demo.resellers)} reseller admins"
    )
