"""Who may do what: the roles of the hub and the principal a request acts as.

Authorization is declared per route with ``require(...)`` (hub.core.deps) and
per row with :func:`restrict` — never as ``if owner != ...`` inside a route.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional, TypeVar

from sqlalchemy import Select

from shared.errors import Forbidden


class Role(str, Enum):
    OWNER = "owner"  # director: everything, reports, audit log
    OPERATIONS = "operations"  # operations manager: resellers, sync health, offers, catalog
    MARKETING = "marketing"
    FINANCE = "finance"  # payments
    INVENTORY = "inventory"  # stock, shipping
    REPAIR = "repair"  # warranty returns
    PURCHASING = "purchasing"  # suppliers, purchase orders, reorder suggestions
    RESELLER = "reseller"  # a reseller's user or API token: only its own reseller's data
    RESELLER_ADMIN = "reseller_admin"  # a reseller's admin user: also manages its users/tokens


STAFF = frozenset(
    {
        Role.OWNER,
        Role.OPERATIONS,
        Role.MARKETING,
        Role.FINANCE,
        Role.INVENTORY,
        Role.REPAIR,
        Role.PURCHASING,
    }
)
RESELLER_ROLES = frozenset({Role.RESELLER, Role.RESELLER_ADMIN})
EVERYONE = STAFF | RESELLER_ROLES


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a staff user, a reseller user, or a reseller API token."""

    role: Role
    user_id: Optional[int] = None
    username: str = ""
    reseller_id: Optional[str] = None  # set exactly for reseller roles
    token_id: Optional[int] = None
    # Signed in with a temporary password (an admin's reset): may only change it (ASVS 2.1.x).
    temporary: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


class PasswordChangeRequired(Forbidden):
    """Signed in with a temporary password: nothing but changing it (pages go to /account)."""


S = TypeVar("S", bound=Select[Any])


def restrict(stmt: S, principal: Principal, reseller_column: Any) -> S:
    """Scope a query to what ``principal`` may see: resellers only their own rows.

    The one place row-level scoping happens (netbox's ``restrict`` idea). A
    reseller principal without a reseller id sees nothing.
    """
    if principal.is_staff:
        return stmt
    return stmt.where(reseller_column == principal.reseller_id)


def can_see_reseller(principal: Principal | None, reseller_id: str | None) -> bool:
    """The object-level twin of :func:`restrict`: may ``principal`` see a row (or a path) of
    ``reseller_id``? Staff and the hub itself (``None``: CLI, jobs) see all; a reseller only
    its own; a row of no reseller (a staff user) no reseller. The one ownership check: services
    call it instead of comparing ``reseller_id`` themselves."""
    if principal is None or principal.is_staff:
        return True
    return reseller_id is not None and principal.reseller_id == reseller_id
