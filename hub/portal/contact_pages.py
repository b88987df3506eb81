"""The reseller admin's contacts page (``/portal/contacts``): who at the shop the hub writes to,
about what, on which channels they agreed to, in which language; add, change, stop writing.

Rules and scoping in :mod:`hub.portal.contacts`; a refused form re-renders with each field's
problem and everything typed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.roles import Principal, Role
from hub.core.templating import language, render
from hub.masterdata.fields import FormState, Invalid, initial_values, posted_values
from hub.masterdata.pages import FormFields
from hub.notifications.records import CONTACTS
from hub.orders.pages import write
from hub.portal import contacts

router = APIRouter(include_in_schema=False)
ADMIN = require(Role.RESELLER_ADMIN)
nav.register(
    nav.NavItem("Contacts", "/portal/contacts", frozenset({Role.RESELLER_ADMIN}), order=18)
)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    state: FormState | None = None,
    editing: Any = None,
    status: int = 200,
) -> Response:
    if state is None:
        shown = CONTACTS.values(session, [editing])[0] if editing is not None else {}
        state = FormState(initial_values(contacts.FIELDS, shown))
    return render(
        request,
        "portal_contacts.html",
        {
            "contacts": contacts.own(session, principal),
            "fields": [(f, f.choices_for(session)) for f in contacts.FIELDS],
            "state": state,
            "editing": editing,
            "saved": request.query_params.get("saved", ""),
        },
        status_code=status,
    )


def _save(
    request: Request,
    session: Session,
    principal: Principal,
    form: dict[str, list[str]],
    contact_id: int | None = None,
) -> Response:
    lang = language(request)
    try:
        row = write(
            request, session, lambda s: contacts.save(s, principal, form, lang, contact_id).id
        )
    except Invalid as exc:
        editing = contacts.get_own(session, principal, contact_id) if contact_id else None
        state = FormState(posted_values(contacts.FIELDS, form), exc.fields)
        return _page(request, session, principal, state, editing, 422)
    return RedirectResponse(f"/portal/contacts?saved={row}", 303)


@router.get("/portal/contacts", dependencies=[ADMIN])
def contact_list(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The shop's contacts and a form to add one."""
    return _page(request, session, principal)


@router.post("/portal/contacts", dependencies=[ADMIN])
def add_contact(
    request: Request, session: SessionDep, principal: CurrentPrincipal, form: FormFields
) -> Response:
    return _save(request, session, principal, form)


@router.get("/portal/contacts/{contact_id}", dependencies=[ADMIN])
def edit_form(
    contact_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """One contact's form; another reseller's contact is a 404."""
    return _page(
        request, session, principal, editing=contacts.get_own(session, principal, contact_id)
    )


@router.post("/portal/contacts/{contact_id}", dependencies=[ADMIN])
def change_contact(
    contact_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
) -> Response:
    return _save(request, session, principal, form, contact_id)


@router.post("/portal/contacts/{contact_id}/active", dependencies=[ADMIN])
def set_active(
    contact_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    active: bool = Form(False),
) -> Response:
    """Stop writing to a contact (or start again); its record and history stay."""
    write(request, session, lambda s: contacts.set_active(s, principal, contact_id, active))
    return RedirectResponse(f"/portal/contacts?saved={contact_id}", 303)
