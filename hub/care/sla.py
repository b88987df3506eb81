"""SLA targets and timers of a ticket, and the escalation of a timer that ran out.

Two timers per ticket, from the moment it is opened: the **first response** (a staff reply the
reseller can read; an internal note does not count) and the **resolution**. Targets depend on
the priority (:data:`TARGETS`) and count calendar hours, around the clock: the hub has no
business-hours calendar (a ticket opened on Friday evening at ``normal`` is due for a first
response on Saturday morning). The due times are stored on the ticket when it is opened or
re-triaged, so the promise shown to the reseller is the one measured.

Time is always passed in (``now``): the pages and the API use :func:`hub.core.db.utcnow`, the
escalation job its run time, and the tests a fixed clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.care.models import Ticket, TicketMessage
from hub.monitoring.service import raise_alert

H = dt.timedelta(hours=1)
# priority -> (first response, resolution), calendar hours
TARGETS: dict[str, tuple[dt.timedelta, dt.timedelta]] = {
    "urgent": (1 * H, 8 * H),
    "high": (4 * H, 24 * H),
    "normal": (8 * H, 72 * H),
    "low": (24 * H, 120 * H),
}
OPEN_STATES = ("open", "in_progress", "waiting")
TIMERS = ("first_response", "resolution")
TIMER_WORDS = {"first_response": "First response", "resolution": "Resolution"}
TIMER_STATE_WORDS = {
    "running": "Running",
    "met": "Met",
    "late": "Met late",
    "overdue": "Overdue",
    "stopped": "Stopped",
}


def set_due(ticket: Ticket) -> None:
    """The ticket's due times from its opening and priority (opening or re-triage)."""
    first, resolution = TARGETS[ticket.priority]
    ticket.first_response_due = ticket.created_at + first
    ticket.resolution_due = ticket.created_at + resolution


@dataclass(frozen=True)
class Timer:
    name: str  # first_response | resolution
    due: dt.datetime
    done_at: Optional[dt.datetime]  # when it was met (or stopped: a closed ticket)
    state: str  # running, met, late, overdue, stopped
    seconds_left: int  # negative: overdue by; 0 once done
    escalated_at: Optional[dt.datetime]

    @property
    def breached(self) -> bool:
        return self.state in ("late", "overdue")


def _timer(
    name: str,
    due: dt.datetime,
    done_at: Optional[dt.datetime],
    escalated_at: Optional[dt.datetime],
    stopped: bool,
    now: dt.datetime,
) -> Timer:
    if done_at is not None:
        return Timer(name, due, done_at, "met" if done_at <= due else "late", 0, escalated_at)
    if stopped:
        return Timer(name, due, None, "stopped", 0, escalated_at)
    left = int((due - now).total_seconds())
    return Timer(name, due, None, "running" if left > 0 else "overdue", left, escalated_at)


def timers(ticket: Ticket, now: dt.datetime) -> list[Timer]:
    """Both timers of ``ticket`` as they stand at ``now``."""
    stopped = ticket.state not in OPEN_STATES
    return [
        _timer(
            "first_response",
            ticket.first_response_due,
            ticket.first_response_at,
            ticket.escalated_response_at,
            stopped,
            now,
        ),
        _timer(
            "resolution",
            ticket.resolution_due,
            ticket.resolved_at,
            ticket.escalated_resolution_at,
            stopped,
            now,
        ),
    ]


def escalate_due(session: Session, now: dt.datetime) -> list[tuple[str, str]]:
    """Escalate every open ticket whose timer ran out at ``now`` and was not escalated yet:
    mark it, write a staff-only note on the ticket and one audit row, and raise a ``care_sla``
    alert to the staff who subscribed (hub.monitoring). Each timer escalates once per ticket.
    Returns (ticket number, timer) of what was escalated."""
    overdue = select(Ticket).where(
        Ticket.state.in_(OPEN_STATES),
        or_(
            (Ticket.first_response_at.is_(None))
            & (Ticket.escalated_response_at.is_(None))
            & (Ticket.first_response_due <= now),
            (Ticket.resolved_at.is_(None))
            & (Ticket.escalated_resolution_at.is_(None))
            & (Ticket.resolution_due <= now),
        ),
    )
    done: list[tuple[str, str]] = []
    for ticket in session.scalars(overdue.order_by(Ticket.id)):
        for timer in timers(ticket, now):
            if timer.state != "overdue" or timer.escalated_at is not None:
                continue
            if timer.name == "first_response":
                ticket.escalated_response_at = now
            else:
                ticket.escalated_resolution_at = now
            session.add(
                TicketMessage(
                    ticket_id=ticket.id,
                    at=now,
                    author="system",
                    staff=True,
                    internal=True,
                    event="escalated",
                    body=timer.name,
                )
            )
            record(
                session,
                None,
                "care.escalate",
                "care_ticket",
                ticket.id,
                None,
                {"timer": timer.name, "due": timer.due, "priority": ticket.priority},
            )
            raise_alert(
                session,
                f"care:{ticket.id}:{timer.name}",
                "care_sla",
                "alert_care_sla",
                {
                    "number": ticket.number,
                    "reseller": ticket.reseller_id,
                    "timer": timer.name.replace("_", " "),
                    "priority": ticket.priority,
                    "due_at": timer.due.isoformat(timespec="minutes"),
                },
                reseller_id=ticket.reseller_id,
            )
            done.append((ticket.number, timer.name))
    session.flush()
    return done
