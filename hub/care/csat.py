"""Customer satisfaction: CSAT = satisfied ÷ responses × 100, per period, category and staff.

A response is a resolved ticket's survey answer; it counts in the month (WIB) it was given,
for the ticket's category and for the staff member credited with the resolution (the assignee
at resolution, else whoever resolved it). A group without responses has no CSAT (None), not
0 %: nobody was asked, which is not the same as nobody being happy. Exact: Decimal, rounded
half-up to one decimal place only when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hub.care.models import Ticket
from hub.care.words import CATEGORIES
from hub.periods.calendar import Period
from hub.users.models import User

HUNDRED = Decimal(100)
UNASSIGNED = "-"


@dataclass(frozen=True)
class CsatRow:
    key: str
    label: str
    satisfied: int
    responses: int

    @property
    def csat(self) -> Optional[Decimal]:
        """satisfied ÷ responses × 100, exact (None without a response)."""
        if not self.responses:
            return None
        return Decimal(self.satisfied) * HUNDRED / Decimal(self.responses)


@dataclass(frozen=True)
class Csat:
    period: Period
    total: CsatRow
    by_category: list[CsatRow]
    by_staff: list[CsatRow]


def _grouped(session: Session, period: Period, key: Any) -> list[tuple[Any, int, int]]:
    """(key, satisfied, responses) of the survey answers given in ``period``, by ``key``."""
    start, end = period.utc_bounds()
    stmt = (
        select(
            key,
            func.sum(case((Ticket.satisfied.is_(True), 1), else_=0)),
            func.count(Ticket.id),
        )
        .where(
            Ticket.surveyed_at.is_not(None),
            Ticket.surveyed_at >= start,
            Ticket.surveyed_at < end,
        )
        .group_by(key)
    )
    return [(k, int(s or 0), int(n)) for k, s, n in session.execute(stmt)]


def csat(session: Session, period: Period) -> Csat:
    """CSAT of ``period`` (a month or a year): overall, by category, by staff member."""
    by_category = [
        CsatRow(k, CATEGORIES.get(k, k), s, n)
        for k, s, n in sorted(_grouped(session, period, Ticket.category), key=lambda r: r[0])
    ]
    staff_rows = _grouped(session, period, Ticket.resolved_by_id)
    ids = [k for k, _, _ in staff_rows if k is not None]
    names = (
        dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    by_staff = sorted(
        (
            CsatRow(UNASSIGNED if k is None else str(k), names.get(k, UNASSIGNED), s, n)
            for k, s, n in staff_rows
        ),
        key=lambda r: r.label,
    )
    satisfied = sum(r.satisfied for r in by_category)
    responses = sum(r.responses for r in by_category)
    return Csat(period, CsatRow("all", "All tickets", satisfied, responses), by_category, by_staff)
