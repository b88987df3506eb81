"""Demo step: last month closed with its reports, and the monthly pack by e-mail.

Through ``hub.orders``/``hub.payments``, ``hub.reports`` and ``hub.periods``: two resellers
ordered on the 20th of last month (WIB) and paid since; the director, operations and
finance subscribe to the monthly report pack; finance closes last month
(``store.close_month``: the month's reports are frozen, its records can no longer change
without the owner reopening it) and the pack for it is written (one PDF per language) and
queued to each subscriber with the PDF attached — delivered by the notifications step to
the demo's mail server (``<home>/mailbox/<name>@distributor.example/``).
"""

from __future__ import annotations

import datetime as dt

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.orders import pay_order, place_order
from hub.demo.steps.people import admin_of, staff
from hub.periods.calendar import Period, today, utc_start
from hub.reports.store import close_month
from hub.reports.subscriptions import send_monthly, subscribe

READERS = (Role.OWNER, Role.OPERATIONS, Role.FINANCE)
# reseller -> what it ordered last month (master SKU -> units)
LAST_MONTH = {"toko-maju": {"NW-0007": 24, "NW-0020": 12}, "cv-sinar": {"NW-0060": 36}}


def seed(demo: Demo) -> str:
    last = Period.containing(today()).previous()
    placed_at = utc_start(last.start + dt.timedelta(days=19)) + dt.timedelta(hours=3)  # 10:00 WIB
    orders = []
    for rid, lines in LAST_MONTH.items():
        who = demo.as_user(admin_of(rid))
        order_id = place_order(demo, who, lines, now=placed_at)
        pay_order(demo, who, order_id)
        orders.append(f"#{order_id}")
    with transaction(demo.factory) as s:
        for role in READERS:
            name = staff(role)
            subscribe(s, demo.as_user(name), f"{name}@distributor.example", "id")
        _, frozen = close_month(s, demo.as_user(staff(Role.FINANCE)), last)
    sent = send_monthly(demo.factory, demo.home, period=last)
    return (
        f"{last.key}: orders {', '.join(orders)} placed on the 20th and paid; closed by finance"
        f" ({frozen} reports frozen); its report pack ({', '.join(f.name for f in sent.files)})"
        f" queued to {sent.queued} subscribers ({', '.join(staff(r) for r in READERS)})"
    )
