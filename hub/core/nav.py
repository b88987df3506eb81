"""The menu registry: each capability adds its pages' menu items when its routes module loads.

``register(NavItem("Offers", "/offers", frozenset({Role.OPERATIONS}), order=40))``; the
layout shows each principal only the items its role may open. Labels are English
message ids, translated by the layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.core.roles import Principal, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[Role]
    order: int = 50


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add (or replace, by href) a menu item; safe to call again when a module is re-imported."""
    _ITEMS[item.href] = item


def items_for(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return sorted(
        (i for i in _ITEMS.values() if principal.role in i.roles), key=lambda i: (i.order, i.href)
    )
