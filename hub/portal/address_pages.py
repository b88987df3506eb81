"""The reseller's address book page (``/portal/addresses``): list, add, make default, remove.

Rules in :mod:`hub.portal.addressbook`; a refused address re-renders the form with the message
and everything typed. Checkout links here when the reseller has no address yet.
"""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.roles import RESELLER_ROLES, Principal
from hub.core.templating import render
from hub.orders.pages import write
from hub.portal import addressbook
from hub.portal.cart import addresses
from hub.shipping.regions import path_name
from shared.errors import SyncHubError

router = APIRouter(include_in_schema=False)
RESELLER = require(*RESELLER_ROLES)
FIELDS = ("label", "recipient", "phone", "street", "postal_code", "region")


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    message: str = "",
    error: str | Exception = "",
    form: Optional[dict[str, str]] = None,
    status: int = 200,
) -> Response:
    book = addresses(session, principal)
    regions = {a.region_kode: path_name(session, a.region_kode) for a in book}
    return render(
        request,
        "portal_addresses.html",
        {
            "addresses": book,
            "regions": regions,
            "message": message,
            "error": error,
            "form": form or {},
            "back": request.query_params.get("back") == "checkout",
        },
        status_code=status,
    )


@router.get("/portal/addresses", dependencies=[RESELLER])
def address_book(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Where the reseller's parcels may go; the default one is preselected at checkout."""
    return _page(request, session, principal)


@router.post("/portal/addresses", dependencies=[RESELLER])
async def add_address(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Add an address: recipient, phone, street, postal code (the region follows from it)."""
    raw = await request.form()
    form = {k: str(raw.get(k, "")) for k in FIELDS}
    new = addressbook.NewAddress(**form, is_default=bool(raw.get("is_default")))
    try:
        write(request, session, lambda s: addressbook.add(s, principal, new))
    except SyncHubError as exc:
        return _page(request, session, principal, error=exc, form=form, status=422)
    if request.query_params.get("back") == "checkout":
        return RedirectResponse("/portal/checkout", 303)
    return _page(request, session, principal, message="Address added.")


@router.post("/portal/addresses/{address_id}/default", dependencies=[RESELLER])
def make_default(
    address_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Preselect this address at checkout."""
    write(request, session, lambda s: addressbook.make_default(s, principal, address_id))
    return _page(request, session, principal, message="Default address changed.")


@router.post("/portal/addresses/{address_id}/remove", dependencies=[RESELLER])
def remove(
    address_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Remove an address; orders already placed keep theirs."""
    write(request, session, lambda s: addressbook.remove(s, principal, address_id))
    return _page(request, session, principal, message="Address removed.")
