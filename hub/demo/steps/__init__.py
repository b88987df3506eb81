"""The commerce half of the demo: one module per capability, each calling its services.

Every step gets the :class:`Demo` (the hub's session factory, settings, who is who)
and returns one line for the console. Steps run in :data:`STEPS` order, each in its
own transaction(s) owned here (services never commit: docs/transactions.md). A
capability that lands later adds one module and one entry below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from hub.core.keys import HubKeys
from hub.core.roles import Principal
from hub.core.settings import HubSettings


@dataclass(frozen=True)
class Login:
    """A demo account, printed at the end with what to try (Indonesian and English)."""

    username: str
    password: str
    role: str
    reseller_id: str | None = None


@dataclass
class Demo:
    settings: HubSettings
    factory: sessionmaker[Session]
    keys: HubKeys
    home: Path
    resellers: list[str]
    today: dt.date
    warehouse_id: int = 0
    regions: str = ""  # what loading Indonesia's regions reported, when done before the steps
    # (reseller, SKU, serial) of each serialised unit delivered by the orders step
    warranty_units: list[tuple[Principal, str, str]] = field(default_factory=list)
    logins: dict[str, Login] = field(default_factory=dict)  # username -> login
    principals: dict[str, Principal] = field(default_factory=dict)  # username -> principal
    products: dict[str, int] = field(default_factory=dict)  # master SKU -> product id
    facts: dict[str, object] = field(default_factory=dict)  # what later steps need

    def as_user(self, username: str) -> Principal:
        return self.principals[username]


Step = Callable[[Demo], str]


def steps() -> list[tuple[str, Step]]:
    """(name, step) in the order they run: people first, then what sells, then what sold."""
    from hub.demo.steps import (
        campaigns,
        care,
        catalog,
        contacts,
        notifications,
        offers,
        orders,
        people,
        portal,
        pricing,
        purchasing,
        reports,
        shipping,
        stock,
        warranty,
    )

    return [
        ("people", people.seed),
        ("shipping", shipping.seed),
        ("contacts", contacts.seed),
        ("catalog", catalog.seed),
        ("pricing", pricing.seed),
        ("purchasing", purchasing.seed),
        ("stock", stock.seed),
        ("offers", offers.seed),
        ("orders", orders.seed),
        ("warranty", warranty.seed),
        ("care", care.seed),
        ("reports", reports.seed),
        ("portal", portal.seed),
        ("campaigns", campaigns.seed),
        # a capability that lands later adds its step above this line: the outbox goes last
        ("notifications", notifications.seed),
    ]
