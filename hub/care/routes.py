"""Customer care API: resellers open and follow their own tickets and answer the survey; care
staff reply, note, assign, triage, resolve. Errors are raised by meaning and answered by the
hub's one error handler (hub/core/errors.py)."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import FileResponse

from hub.care import files, service
from hub.care.csat import Csat, CsatRow, csat
from hub.care.models import Ticket
from hub.care.schemas import (
    AssignIn,
    AttachmentPublic,
    CsatPublic,
    CsatRowPublic,
    MessageIn,
    MessagePublic,
    ResolveIn,
    SurveyIn,
    TicketCreate,
    TicketPublic,
    TicketsPublic,
    TimerPublic,
    TriageIn,
)
from hub.care.sla import timers
from hub.core.db import utcnow
from hub.core.deps import RowId, SessionDep, SettingsDep, require
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.periods.calendar import Period

router = APIRouter(prefix="/api/v1/care", tags=["care"])
# Who works the tickets: the director, operations, marketing (relations) and the repair
# technicians (repair and installation visits).
CARE_STAFF = (Role.OWNER, Role.OPERATIONS, Role.MARKETING, Role.REPAIR)
Anyone = Annotated[Principal, require(*CARE_STAFF, *RESELLER_ROLES)]
Reseller = Annotated[Principal, require(*RESELLER_ROLES)]
Staff = Annotated[Principal, require(*CARE_STAFF)]


def public(ticket: Ticket, principal: Principal, *, full: bool = True) -> TicketPublic:
    """The ticket as ``principal`` may read it (a reseller: no internal notes)."""
    out = TicketPublic.model_validate(ticket)
    now = utcnow()
    out.timers = [TimerPublic(**t.__dict__) for t in timers(ticket, now)]
    if full:
        out.messages = [
            MessagePublic.model_validate(m) for m in service.visible_messages(ticket, principal)
        ]
        out.attachments = [AttachmentPublic.model_validate(a) for a in ticket.attachments]
    return out


@router.get("/tickets", response_model=TicketsPublic)
def list_tickets(
    session: SessionDep,
    principal: Anyone,
    state: Annotated[Optional[str], Query(max_length=16)] = None,
    assignee_id: Annotated[Optional[int], Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> TicketsPublic:
    """Tickets, newest first, with their SLA timers (a reseller sees its own only)."""
    rows, count = service.list_tickets(
        session, principal, state=state, assignee_id=assignee_id, limit=limit, offset=offset
    )
    return TicketsPublic(data=[public(t, principal, full=False) for t in rows], count=count)


@router.post("/tickets", status_code=201, response_model=TicketPublic)
def open_ticket(body: TicketCreate, session: SessionDep, principal: Anyone) -> TicketPublic:
    """Open a ticket: a complaint, question, suggestion, repair or installation visit."""
    return public(service.open_ticket(session, principal, body, utcnow()), principal)


@router.get("/tickets/{ticket_id}", response_model=TicketPublic)
def get_ticket(ticket_id: RowId, session: SessionDep, principal: Anyone) -> TicketPublic:
    """One ticket with its messages (internal notes for staff only) and timers."""
    return public(service.get_ticket(session, principal, ticket_id), principal)


@router.post("/tickets/{ticket_id}/replies", response_model=TicketPublic)
def reply(
    ticket_id: RowId, body: MessageIn, session: SessionDep, principal: Anyone
) -> TicketPublic:
    """A reply the reseller reads (staff: it is sent to the reseller's contacts too)."""
    return public(service.reply(session, principal, ticket_id, body.body, utcnow()), principal)


@router.post(
    "/tickets/{ticket_id}/attachments",
    status_code=201,
    response_model=TicketPublic,
    max_body_size=files.UPLOAD_LIMIT,
)
def add_attachments(
    ticket_id: RowId,
    session: SessionDep,
    settings: SettingsDep,
    principal: Anyone,
    upload: Annotated[list[UploadFile], File(description="PNG, JPEG or PDF, 8 MB each, 5 at most")],
) -> TicketPublic:
    """Photos or PDFs for the ticket (checked by their content)."""
    ticket = files.attach_uploads(session, principal, ticket_id, upload, settings.home, utcnow())
    return public(ticket, principal)


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}", response_class=FileResponse)
def get_attachment(
    ticket_id: RowId,
    attachment_id: RowId,
    session: SessionDep,
    settings: SettingsDep,
    principal: Anyone,
) -> FileResponse:
    """An attachment of the ticket, to its reseller and to care staff."""
    found = service.attachment(session, principal, ticket_id, attachment_id)
    return files.serve(files.attachments_dir(settings.home), found.name, found.mime)


@router.post("/tickets/{ticket_id}/notes", response_model=TicketPublic)
def note(ticket_id: RowId, body: MessageIn, session: SessionDep, principal: Staff) -> TicketPublic:
    """An internal note, for staff only."""
    return public(service.note(session, principal, ticket_id, body.body, utcnow()), principal)


@router.post("/tickets/{ticket_id}/assign", response_model=TicketPublic)
def assign(ticket_id: RowId, body: AssignIn, session: SessionDep, principal: Staff) -> TicketPublic:
    """Give the ticket to a staff member (null takes it back)."""
    return public(service.assign(session, principal, ticket_id, body.user_id), principal)


@router.post("/tickets/{ticket_id}/triage", response_model=TicketPublic)
def triage(ticket_id: RowId, body: TriageIn, session: SessionDep, principal: Staff) -> TicketPublic:
    """Category and priority; the SLA due times follow the priority."""
    ticket = service.triage(session, principal, ticket_id, body.category, body.priority, utcnow())
    return public(ticket, principal)


@router.post("/tickets/{ticket_id}/resolve", response_model=TicketPublic)
def resolve(
    ticket_id: RowId, body: ResolveIn, session: SessionDep, principal: Staff
) -> TicketPublic:
    """Resolved: the reseller is told and asked whether it is satisfied."""
    return public(service.resolve(session, principal, ticket_id, body.note, utcnow()), principal)


@router.post("/tickets/{ticket_id}/close", response_model=TicketPublic)
def close(ticket_id: RowId, session: SessionDep, principal: Anyone) -> TicketPublic:
    """Close a resolved ticket (staff or its reseller)."""
    return public(service.close(session, principal, ticket_id), principal)


@router.post("/tickets/{ticket_id}/reopen", response_model=TicketPublic)
def reopen(ticket_id: RowId, session: SessionDep, principal: Staff) -> TicketPublic:
    """Reopen a resolved or closed ticket."""
    return public(service.reopen(session, principal, ticket_id), principal)


@router.post("/tickets/{ticket_id}/survey", response_model=TicketPublic)
def survey(
    ticket_id: RowId, body: SurveyIn, session: SessionDep, principal: Reseller
) -> TicketPublic:
    """The one question after resolution: satisfied or not."""
    ticket = service.survey(session, principal, ticket_id, body.satisfied, utcnow())
    return public(ticket, principal)


def _row(r: CsatRow) -> CsatRowPublic:
    value = r.csat
    return CsatRowPublic(
        key=r.key,
        label=r.label,
        satisfied=r.satisfied,
        responses=r.responses,
        csat=None if value is None else format(value, "f"),
    )


def csat_public(c: Csat) -> CsatPublic:
    return CsatPublic(
        period=c.period.key,
        total=_row(c.total),
        by_category=[_row(r) for r in c.by_category],
        by_staff=[_row(r) for r in c.by_staff],
    )


@router.get("/csat", response_model=CsatPublic)
def csat_of(
    session: SessionDep,
    principal: Staff,
    period: Annotated[str, Query(max_length=7, description="2026-01 or 2026")],
) -> CsatPublic:
    """CSAT = satisfied ÷ responses × 100 of the survey answers given in the period."""
    return csat_public(csat(session, Period.parse(period)))
