"""Demo step: the people who read the reports ask for the monthly pack by e-mail.

Through ``hub.reports.subscriptions``: the director, operations and finance each subscribe
(the pack goes out on the 1st, built from last month's reports; without a mail server the
messages wait in the outbox, visible to the owner).
"""

from __future__ import annotations

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import staff
from hub.reports.subscriptions import subscribe

READERS = (Role.OWNER, Role.OPERATIONS, Role.FINANCE)


def seed(demo: Demo) -> str:
    with transaction(demo.factory) as s:
        for role in READERS:
            name = staff(role)
            subscribe(s, demo.as_user(name), f"{name}@distributor.example", "id")
    return f"monthly report pack by e-mail for {', '.join(staff(r) for r in READERS)}"
