"""A hub with orders placed in January 2026 (a month that has ended), for closing it."""

from __future__ import annotations

import datetime as dt

from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.orders.service import LineRequest, create_order
from hub.periods import service as periods
from hub.periods.calendar import Period
from tests.hub.orders.helpers import R1, Hub, seed

OWNER = Principal(Role.OWNER, user_id=1, username="direktur")
FIN = Principal(Role.FINANCE, user_id=2, username="fina")
OPS = Principal(Role.OPERATIONS, user_id=4, username="ops")
JAN = Period.month(2026, 1)
FEB = Period.month(2026, 2)
IN_JAN = dt.datetime(2026, 1, 20, 3, 0, tzinfo=dt.timezone.utc)
IN_FEB = dt.datetime(2026, 2, 10, 3, 0, tzinfo=dt.timezone.utc)


def place(hub: Hub, qty: int = 1, when: dt.datetime = IN_JAN, sku: str = "SSD") -> int:
    with transaction(hub.factory) as s:
        return create_order(
            s, R1, "r1", [LineRequest(qty, product_id=hub.products[sku])], hub.ctx, now=when
        ).id


def seeded(hub: Hub) -> Hub:
    return seed(hub, {"SSD": 50, "RAM": 50}, prices={"SSD": "1000000", "RAM": "250000"})


def close(hub: Hub, period: Period = JAN, who: Principal = FIN) -> None:
    with transaction(hub.factory) as s:
        periods.close(s, who, period)
