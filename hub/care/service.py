"""Customer care tickets: opening, replies and internal notes, assignment, triage, resolution,
closing and reopening, and the one-question survey after resolution.

Every state-changing function writes exactly one audit row in the caller's transaction and
never commits (docs/transactions.md). A reseller only ever reads its own tickets
(``restrict``): another reseller's ticket id is simply not found. Time comes in as ``now``
(:mod:`hub.care.sla`). The reseller's contacts are told of a staff reply and of the
resolution (hub.notifications); internal notes are never sent nor shown to a reseller.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.care import sla
from hub.care.models import Ticket, TicketAttachment, TicketMessage
from hub.care.schemas import TicketCreate
from hub.core.roles import STAFF, Principal, restrict
from hub.notifications.service import notify
from hub.payments.proofs import StoredProof
from hub.purchasing.numbering import next_number
from hub.purchasing.query import paged
from hub.resellers.models import Reseller
from hub.users.models import User
from shared.errors import Conflict, DataError, Forbidden, NotFound

ENTITY = "care_ticket"
STAFF_ROLES = frozenset(r.value for r in STAFF)


def _who(principal: Principal) -> str:
    return principal.username or principal.role.value


def _snapshot(t: Ticket) -> dict[str, object]:
    return {
        "state": t.state,
        "priority": t.priority,
        "category": t.category,
        "assignee_id": t.assignee_id,
    }


def _staff_only(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("only staff may do this on a ticket", hint="reply to the ticket instead")


def _message(
    session: Session,
    ticket: Ticket,
    principal: Principal,
    body: str,
    now: dt.datetime,
    *,
    internal: bool = False,
) -> None:
    """Add a reply (or, ``internal``, a staff-only note) written by ``principal`` at ``now``."""
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            at=now,
            author=_who(principal),
            staff=principal.is_staff,
            internal=internal,
            body=body,
        )
    )


def get_ticket(
    session: Session, principal: Principal, ticket_id: int, *, lock: bool = False
) -> Ticket:
    """The ticket if ``principal`` may see it (a reseller: only its own); NotFound otherwise."""
    stmt = restrict(select(Ticket).where(Ticket.id == ticket_id), principal, Ticket.reseller_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    ticket = session.execute(stmt).scalar()
    if ticket is None:
        raise NotFound("no ticket #{id}", hint="see your tickets", id=ticket_id)
    return ticket


def list_tickets(
    session: Session,
    principal: Principal,
    *,
    state: Optional[str] = None,
    assignee_id: Optional[int] = None,
    reseller_id: Optional[str] = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Ticket], int]:
    """Newest first; a reseller sees its own only (whatever ``reseller_id`` says)."""
    stmt = restrict(select(Ticket), principal, Ticket.reseller_id)
    if state:
        stmt = stmt.where(Ticket.state == state)
    if assignee_id is not None:
        stmt = stmt.where(Ticket.assignee_id == assignee_id)
    if reseller_id:
        stmt = stmt.where(Ticket.reseller_id == reseller_id)
    return paged(session, stmt, [Ticket.id.desc()], limit, offset)


def visible_messages(ticket: Ticket, principal: Principal) -> list[TicketMessage]:
    """The ticket's messages ``principal`` may read: a reseller never sees internal notes."""
    return [m for m in ticket.messages if principal.is_staff or not m.internal]


def open_ticket(
    session: Session, principal: Principal, data: TicketCreate, now: dt.datetime
) -> Ticket:
    """A reseller opens a ticket for itself; staff open one for a reseller (a phone call)."""
    if principal.is_staff:
        if not data.reseller_id or session.get(Reseller, data.reseller_id) is None:
            raise DataError(
                "name the reseller the ticket is for",
                hint="choose a reseller from the list",
                problems=[("reseller_id", "no such reseller")],
            )
        reseller_id = data.reseller_id
    else:
        if principal.reseller_id is None:
            raise Forbidden("only a reseller's user may open a ticket", hint="sign in again")
        reseller_id = principal.reseller_id
    ticket = Ticket(
        number=next_number(session, "TIK", now),
        reseller_id=reseller_id,
        kind=data.kind,
        category=data.category,
        priority=data.priority,
        subject=data.subject.strip(),
        state="open",
        opened_by=_who(principal),
        created_at=now,
    )
    sla.set_due(ticket)
    session.add(ticket)
    session.flush()
    _message(session, ticket, principal, data.body.strip(), now)
    record(session, principal, "care.open", ENTITY, ticket.id, None, _snapshot(ticket))
    session.flush()
    session.refresh(ticket)
    return ticket


def _tell(session: Session, ticket: Ticket, template: str, body: str) -> None:
    notify(
        session,
        ticket.reseller_id,
        template,
        {"number": ticket.number, "subject": ticket.subject, "body": body},
    )


def reply(
    session: Session, principal: Principal, ticket_id: int, body: str, now: dt.datetime
) -> Ticket:
    """A reply the reseller reads. Staff's first reply stops the first-response timer and the
    reseller is told; a reseller's reply to a resolved ticket reopens it."""
    ticket = get_ticket(session, principal, ticket_id, lock=True)
    text = body.strip()
    if not text:
        raise DataError("write a message", hint="the reply is empty")
    if ticket.state == "closed":
        raise Conflict("ticket {number} is closed", hint="open a new ticket", number=ticket.number)
    before = _snapshot(ticket)
    if principal.is_staff:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        if ticket.state in ("open", "in_progress"):
            ticket.state = "waiting"
    elif ticket.state in ("resolved", "waiting"):
        if ticket.state == "resolved":
            ticket.resolved_at, ticket.resolved_by_id = None, None
        ticket.state = "in_progress" if ticket.assignee_id else "open"
    _message(session, ticket, principal, text, now)
    if principal.is_staff:
        _tell(session, ticket, "care_reply", text)
    record(session, principal, "care.reply", ENTITY, ticket.id, before, _snapshot(ticket))
    session.flush()
    session.refresh(ticket)
    return ticket


def note(
    session: Session, principal: Principal, ticket_id: int, body: str, now: dt.datetime
) -> Ticket:
    """A staff-only note: never shown or sent to the reseller, stops no timer."""
    _staff_only(principal)
    ticket = get_ticket(session, principal, ticket_id)
    text = body.strip()
    if not text:
        raise DataError("write a message", hint="the note is empty")
    _message(session, ticket, principal, text, now, internal=True)
    record(session, principal, "care.note", ENTITY, ticket.id, None, {"internal": True})
    session.flush()
    session.refresh(ticket)
    return ticket


def staff_users(session: Session) -> list[User]:
    """Who a ticket can be assigned to: active staff users."""
    stmt = select(User).where(User.active.is_(True), User.role.in_(sorted(STAFF_ROLES)))
    return list(session.scalars(stmt.order_by(User.username)))


def assign(
    session: Session, principal: Principal, ticket_id: int, user_id: Optional[int]
) -> Ticket:
    """Give the ticket to a staff member (or take it back: None); an open ticket is then in
    progress."""
    _staff_only(principal)
    ticket = get_ticket(session, principal, ticket_id, lock=True)
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or not user.active or user.role not in STAFF_ROLES:
            raise DataError(
                "user #{user_id} is not an active staff member",
                hint="choose a staff member from the list",
                user_id=user_id,
            )
    before = _snapshot(ticket)
    ticket.assignee_id = user_id
    if user_id is not None and ticket.state == "open":
        ticket.state = "in_progress"
    record(session, principal, "care.assign", ENTITY, ticket.id, before, _snapshot(ticket))
    session.flush()
    return ticket


def triage(
    session: Session,
    principal: Principal,
    ticket_id: int,
    category: str,
    priority: str,
    now: dt.datetime,
) -> Ticket:
    """Set the category and priority; the due times follow the new priority from the opening
    (a timer whose new due time is still ahead may escalate again)."""
    _staff_only(principal)
    ticket = get_ticket(session, principal, ticket_id, lock=True)
    before = _snapshot(ticket)
    ticket.category, ticket.priority = category, priority
    sla.set_due(ticket)
    if ticket.first_response_due > now:
        ticket.escalated_response_at = None
    if ticket.resolution_due > now:
        ticket.escalated_resolution_at = None
    record(session, principal, "care.triage", ENTITY, ticket.id, before, _snapshot(ticket))
    session.flush()
    return ticket


def resolve(
    session: Session, principal: Principal, ticket_id: int, text: str, now: dt.datetime
) -> Ticket:
    """Staff resolve the ticket (with what was done, told to the reseller, who is asked the
    survey question). The resolution is credited to the assignee (else whoever resolved)."""
    _staff_only(principal)
    ticket = get_ticket(session, principal, ticket_id, lock=True)
    if ticket.state not in sla.OPEN_STATES:
        raise Conflict(
            "ticket {number} is already resolved or closed",
            hint="reopen it first",
            number=ticket.number,
        )
    before = _snapshot(ticket)
    said = text.strip()
    if said:
        _message(session, ticket, principal, said, now)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
    ticket.state, ticket.resolved_at = "resolved", now
    ticket.resolved_by_id = ticket.assignee_id or principal.user_id
    _tell(session, ticket, "care_resolved", said)
    record(session, principal, "care.resolve", ENTITY, ticket.id, before, _snapshot(ticket))
    session.flush()
    session.refresh(ticket)
    return ticket


def close(session: Session, principal: Principal, ticket_id: int) -> Ticket:
    """A resolved ticket is closed (staff or its reseller): no more replies."""
    ticket = get_ticket(session, principal, ticket_id, lock=True)
    if ticket.state != "resolved":
        raise Conflict(
            "only a resolved ticket can be closed",
            hint="resolve ticket {number} first",
            number=ticket.number,
        )
    before = _snapshot(ticket)
    ticket.state = "closed"
    record(session, principal, "care.close", ENTITY, ticket.id, before, _snapshot(ticket))
    session.flush()
    return ticket


def reopen(session: Session, principal: Principal, ticket_id: int) -> Ticket:
    """Staff reopen a resolved or closed ticket; its resolution timer runs again."""
    _staff_only(principal)
    ticket = get_ticket(session, principal, ticket_id, lock=True)
    if ticket.state not in ("resolved", "closed"):
        raise Conflict(
            "ticket {number} is not resolved", hint="nothing to reopen", number=ticket.number
        )
    before = _snapshot(ticket)
    ticket.state = "in_progress" if ticket.assignee_id else "open"
    ticket.resolved_at, ticket.resolved_by_id = None, None
    record(session, principal, "care.reopen", ENTITY, ticket.id, before, _snapshot(ticket))
    session.flush()
    return ticket


def survey(
    session: Session, principal: Principal, ticket_id: int, satisfied: bool, now: dt.datetime
) -> Ticket:
    """The reseller's one answer after resolution: satisfied or not (once per ticket)."""
    if principal.is_staff:
        raise Forbidden(
            "only the reseller answers the survey", hint="the reseller answers in the portal"
        )
    ticket = get_ticket(session, principal, ticket_id, lock=True)
    if ticket.state not in ("resolved", "closed"):
        raise Conflict(
            "ticket {number} is not resolved yet",
            hint="the question comes once it is resolved",
            number=ticket.number,
        )
    if ticket.surveyed_at is not None:
        raise Conflict("ticket {number} was already rated", hint="thank you", number=ticket.number)
    ticket.satisfied, ticket.surveyed_at = satisfied, now
    record(session, principal, "care.survey", ENTITY, ticket.id, None, {"satisfied": satisfied})
    session.flush()
    return ticket


def attach(
    session: Session,
    principal: Principal,
    ticket: Ticket,
    stored: StoredProof,
    filename: str,
    now: dt.datetime,
) -> TicketAttachment:
    """Record a stored file on ``ticket`` (already checked as the principal's to see); a closed
    ticket takes none."""
    if ticket.state == "closed":
        raise Conflict("ticket {number} is closed", hint="open a new ticket", number=ticket.number)
    row = TicketAttachment(
        ticket_id=ticket.id,
        name=stored.name,
        filename=(filename or stored.name)[:120],
        mime=stored.mime,
        size=stored.size,
        uploaded_by=_who(principal),
        at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        principal,
        "care.attach",
        ENTITY,
        ticket.id,
        None,
        {"attachment": row.id, "file": row.filename, "size": row.size},
    )
    session.refresh(ticket)
    return row


def attachment(
    session: Session, principal: Principal, ticket_id: int, attachment_id: int
) -> TicketAttachment:
    """An attachment of a ticket ``principal`` may see; NotFound otherwise."""
    ticket = get_ticket(session, principal, ticket_id)
    found = next((a for a in ticket.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound(
            "no attachment #{attachment_id} on {number}",
            hint="see the ticket's attachments",
            attachment_id=attachment_id,
            number=ticket.number,
        )
    return found
