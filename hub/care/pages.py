"""Customer care pages: the reseller's tickets in the portal (open one, follow it, reply,
answer the survey) and the staff desk (queue with SLA timers, a ticket with the reseller's
details and history, reply / internal note / assign / triage / resolve), and the CSAT page.
A refused action re-renders the page with the message next to what was typed."""

from __future__ import annotations

from typing import Any, Callable, Optional

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.care import files, service
from hub.care.csat import csat
from hub.care.models import Ticket
from hub.care.routes import CARE_STAFF
from hub.care.schemas import TicketCreate
from hub.care.sla import TIMER_STATE_WORDS, TIMER_WORDS, timers
from hub.care.words import CATEGORIES, KINDS, PRIORITIES, STATES
from hub.core import nav
from hub.core.db import utcnow
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require
from hub.core.forms import posted_with_files
from hub.core.i18n import parse_int
from hub.core.roles import RESELLER_ROLES, Principal
from hub.core.templating import language, render
from hub.periods.calendar import Period
from hub.purchasing.web import attempt
from hub.resellers.models import Reseller
from hub.users.models import User
from shared.errors import DataError

router = APIRouter(include_in_schema=False)
DONE = {
    "opened": "Ticket sent. We answer within the time shown.",
    "reply": "Reply sent.",
    "note": "Note saved (staff only).",
    "assign": "Assignment saved.",
    "triage": "Category and priority saved.",
    "resolve": "Resolved: the reseller is told and asked for its opinion.",
    "close": "Ticket closed.",
    "reopen": "Ticket reopened.",
    "survey": "Thank you for your answer.",
    "attach": "File attached.",
}
WORDS = {
    "kinds": KINDS,
    "categories": CATEGORIES,
    "priorities": PRIORITIES,
    "states": STATES,
    "timer_words": TIMER_WORDS,
    "timer_states": TIMER_STATE_WORDS,
}

nav.register(nav.NavItem("Customer care", "/portal/care", frozenset(RESELLER_ROLES), order=46))
nav.register(nav.NavItem("Customer care", "/care", frozenset(CARE_STAFF), order=58))


def _done(done: str) -> Optional[str]:
    return DONE.get(done[:20])


# --- the reseller's portal ---------------------------------------------------------------


def _portal(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    form: Optional[dict[str, str]] = None,
    error: Any = None,
) -> Response:
    tickets, _ = service.list_tickets(session, principal, limit=200)
    return render(
        request,
        "care_portal.html",
        {"tickets": tickets, "form": form or {}, "error": error, **WORDS},
        status_code=422 if error else 200,
    )


@router.get("/portal/care", dependencies=[require(*RESELLER_ROLES)])
def portal(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """My tickets and the form to open one."""
    return _portal(request, session, principal)


def _create(form: dict[str, str], reseller_id: Optional[str] = None) -> TicketCreate:
    try:
        return TicketCreate(
            kind=form.get("kind", ""),  # type: ignore[arg-type]
            category=form.get("category", "other") or "other",  # type: ignore[arg-type]
            priority=form.get("priority", "normal") or "normal",  # type: ignore[arg-type]
            subject=form.get("subject", ""),
            body=form.get("body", ""),
            reseller_id=reseller_id,
        )
    except ValidationError as exc:
        problems = [(".".join(str(p) for p in e["loc"]), str(e["msg"])) for e in exc.errors()]
        raise DataError(
            "the ticket is not complete",
            hint="choose a kind, write a subject (3+ letters) and what happened",
            problems=problems,
        ) from None


@router.post("/portal/care", dependencies=[require(*RESELLER_ROLES)])
async def portal_open(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Open a ticket."""
    form, _ = await posted_with_files(request)
    ticket, error = attempt(
        session, lambda: service.open_ticket(session, principal, _create(form), utcnow())
    )
    if error is not None or ticket is None:
        return _portal(request, session, principal, form=form, error=error)
    return RedirectResponse(f"/portal/care/{ticket.id}?done=opened", 303)


def _ticket_page(
    request: Request,
    session: Session,
    principal: Principal,
    ticket_id: int,
    *,
    done: str = "",
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    """A ticket's page: the reseller's in the portal, the desk's (with the reseller's details
    and other tickets, internal notes and every action) for staff."""
    ticket = service.get_ticket(session, principal, ticket_id)
    context: dict[str, Any] = {
        "t": ticket,
        "messages": service.visible_messages(ticket, principal),
        "timers": timers(ticket, utcnow()),
        "message": _done(done),
        "error": error,
        "form": form or {},
        **WORDS,
    }
    if principal.is_staff:
        history, count = service.list_tickets(
            session, principal, reseller_id=ticket.reseller_id, limit=20
        )
        context |= {
            "reseller": session.get(Reseller, ticket.reseller_id),
            "history": [h for h in history if h.id != ticket.id],
            "history_count": count - 1,
            "staff": service.staff_users(session),
            "assignee": session.get(User, ticket.assignee_id) if ticket.assignee_id else None,
        }
    page = "care_ticket.html" if principal.is_staff else "care_portal_ticket.html"
    return render(request, page, context, status_code=409 if error else 200)


@router.get("/portal/care/{ticket_id}", dependencies=[require(*RESELLER_ROLES)])
def portal_ticket(
    ticket_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str = "",
) -> Response:
    """One of my tickets: the conversation, the promised times, the survey once resolved."""
    return _ticket_page(request, session, principal, ticket_id, done=done)


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    ticket_id: int,
    form: dict[str, str],
    work: Callable[[], Ticket],
    done: str,
    *,
    portal: bool,
) -> Response:
    _, error = attempt(session, work)
    if error is not None:
        return _ticket_page(request, session, principal, ticket_id, error=error, form=form)
    where = "/portal/care" if portal else "/care/tickets"
    return RedirectResponse(f"{where}/{ticket_id}?done={done}", 303)


@router.post(
    "/portal/care/{ticket_id}/{action}",
    dependencies=[require(*RESELLER_ROLES)],
    max_body_size=files.UPLOAD_LIMIT,
)
async def portal_action(
    ticket_id: RowId,
    action: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> Response:
    """reply, attach (files), close, survey (satisfied = yes / no)."""
    form, uploads = await posted_with_files(request)
    now = utcnow()
    actions: dict[str, Callable[[], Ticket]] = {
        "attach": lambda: files.attach_uploads(
            session, principal, ticket_id, uploads, settings.home, now
        ),
        "reply": lambda: service.reply(session, principal, ticket_id, form.get("body", ""), now),
        "close": lambda: service.close(session, principal, ticket_id),
        "survey": lambda: service.survey(
            session, principal, ticket_id, form.get("satisfied") == "yes", now
        ),
    }
    work = actions.get(action)
    if work is None:
        service.get_ticket(session, principal, ticket_id)  # another reseller's id: not found
        raise DataError(
            "there is no action {action!r}",
            hint="reply, attach, close or survey",
            action=action[:20],
        )
    return _act(request, session, principal, ticket_id, form, work, action, portal=True)


# --- the staff desk ------------------------------------------------------------------------


def _desk(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    state: str = "",
    mine: bool = False,
    form: Optional[dict[str, str]] = None,
    error: Any = None,
) -> Response:
    assignee = principal.user_id if mine and principal.user_id else None
    tickets, count = service.list_tickets(
        session, principal, state=state or None, assignee_id=assignee, limit=300
    )
    now = utcnow()
    return render(
        request,
        "care_desk.html",
        {
            "tickets": tickets,
            "count": count,
            "state": state,
            "mine": bool(assignee),
            "timers": {t.id: timers(t, now) for t in tickets},
            "users": {u.id: u.username for u in service.staff_users(session)},
            "resellers": list(session.scalars(select(Reseller).order_by(Reseller.id))),
            "form": form or {},
            "error": error,
            **WORDS,
        },
        status_code=422 if error else 200,
    )


@router.get("/care", dependencies=[require(*CARE_STAFF)])
def desk(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    state: str = "",
    mine: str = "",
) -> Response:
    """Tickets to work on, by state, with their timers; and opening one for a reseller."""
    return _desk(request, session, principal, state=state[:16], mine=bool(mine))


@router.post("/care", dependencies=[require(*CARE_STAFF)])
async def desk_open(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Staff open a ticket for a reseller (a phone call, a visit)."""
    form, _ = await posted_with_files(request)
    ticket, error = attempt(
        session,
        lambda: service.open_ticket(
            session, principal, _create(form, form.get("reseller_id", "")[:31]), utcnow()
        ),
    )
    if error is not None or ticket is None:
        return _desk(request, session, principal, form=form, error=error)
    return RedirectResponse(f"/care/tickets/{ticket.id}?done=opened", 303)


@router.get("/care/tickets/{ticket_id}", dependencies=[require(*CARE_STAFF)])
def desk_ticket(
    ticket_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str = "",
) -> Response:
    """A ticket at the desk: the reseller's details and other tickets, the conversation with
    internal notes, the timers and every action."""
    return _ticket_page(request, session, principal, ticket_id, done=done)


@router.post(
    "/care/tickets/{ticket_id}/{action}",
    dependencies=[require(*CARE_STAFF)],
    max_body_size=files.UPLOAD_LIMIT,
)
async def desk_action(
    ticket_id: RowId,
    action: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> Response:
    """reply, note, attach (files), assign, triage, resolve, close, reopen."""
    form, uploads = await posted_with_files(request)
    now, lang = utcnow(), language(request)

    def assignee() -> Optional[int]:
        raw = form.get("user_id", "").strip()
        return parse_int(raw, lang) if raw else None

    actions: dict[str, Callable[[], Ticket]] = {
        "reply": lambda: service.reply(session, principal, ticket_id, form.get("body", ""), now),
        "note": lambda: service.note(session, principal, ticket_id, form.get("body", ""), now),
        "attach": lambda: files.attach_uploads(
            session, principal, ticket_id, uploads, settings.home, now
        ),
        "assign": lambda: service.assign(session, principal, ticket_id, assignee()),
        "triage": lambda: service.triage(
            session,
            principal,
            ticket_id,
            _choice(form.get("category", ""), CATEGORIES, "category"),
            _choice(form.get("priority", ""), PRIORITIES, "priority"),
            now,
        ),
        "resolve": lambda: service.resolve(
            session, principal, ticket_id, form.get("body", ""), now
        ),
        "close": lambda: service.close(session, principal, ticket_id),
        "reopen": lambda: service.reopen(session, principal, ticket_id),
    }
    work = actions.get(action)
    if work is None:
        raise DataError(
            "there is no action {action!r}",
            hint="reply, note, attach, assign, triage, resolve, close or reopen",
            action=action[:20],
        )
    return _act(request, session, principal, ticket_id, form, work, action, portal=False)


def _choice(raw: str, allowed: dict[str, str], name: str) -> str:
    if raw not in allowed:
        raise DataError(
            "choose a {name} from the list",
            hint="one of: {choices}",
            name=name,
            choices=", ".join(allowed),
        )
    return raw


@router.get("/care/csat", dependencies=[require(*CARE_STAFF)])
def csat_page(request: Request, session: SessionDep, period: str = "") -> Response:
    """CSAT of a month (default: this one) or a year: overall, by category, by staff member."""
    chosen, error = Period.containing(utcnow()), None
    if period:
        try:
            chosen = Period.parse(period[:7])
        except DataError as exc:
            error = exc
    return render(
        request,
        "care_csat.html",
        {"c": csat(session, chosen), "period": chosen, "asked": period[:7], "error": error},
        status_code=422 if error else 200,
    )
