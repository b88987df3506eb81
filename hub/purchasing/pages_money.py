"""Purchasing pages, money and planning side: supplier invoices and payments, credit notes
and the payables ageing (finance); the reorder plan (buyers); stock value and low-stock
levels per warehouse."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.forms import PostedForm
from hub.core.i18n import DISPLAY_TZ, parse_date
from hub.core.roles import Role
from hub.core.templating import language, render
from hub.inventory import bins
from hub.purchasing import costing, payables, replenish
from hub.purchasing.lifecycle import INVOICE
from hub.purchasing.models import CreditNote, Supplier
from hub.purchasing.reorder import Policy, low_stock
from hub.purchasing.schemas import CreditNoteIn, PaymentIn
from hub.purchasing.web import STATES, amount, attempt, whole
from hub.shipping.models import Warehouse
from shared.errors import DataError, NotFound

router = APIRouter(include_in_schema=False)
FINANCE = (Role.OWNER, Role.FINANCE)
PAYABLES_READERS = (*FINANCE, Role.PURCHASING)
PLANNERS = (Role.OWNER, Role.PURCHASING, Role.OPERATIONS)
BUYERS = (Role.OWNER, Role.PURCHASING)
STOCK = (Role.OWNER, Role.PURCHASING, Role.INVENTORY, Role.OPERATIONS, Role.FINANCE)
LEVELLERS = (Role.OWNER, Role.PURCHASING, Role.INVENTORY)
DONE = {
    "approve": "Invoice approved for payment.",
    "cancel": "Invoice cancelled.",
    "paid": "Payment booked.",
    "credit": "Credit note booked.",
    "applied": "Credit applied to the invoice.",
    "level": "Low-stock level saved.",
}


def _today() -> Any:
    return utcnow().astimezone(DISPLAY_TZ).date()


def _date(request: Request, raw: str) -> Any:
    """A date as typed in the reader's language; blank is today in WIB."""
    return parse_date(raw, language(request)) if raw.strip() else _today()


def _payables_page(
    request: Request,
    session: Session,
    *,
    state: str = "",
    done: str = "",
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    invoices, count = payables.list_invoices(session, state=state or None, limit=500)
    names = dict(session.execute(select(Supplier.id, Supplier.legal_name)).all())
    principal = request.state.principal
    return render(
        request,
        "purchasing_payables.html",
        {
            "invoices": invoices,
            "count": count,
            "state": state,
            "states": STATES,
            "invoice_states": sorted(INVOICE.states),
            "events": {s: INVOICE.events_for(s, principal.role.value) for s in INVOICE.states},
            "names": names,
            "ageing": payables.ageing(session, _today()),
            "today": _today(),
            "credits": payables.credit_notes(session),
            "suppliers": list(session.scalars(select(Supplier).order_by(Supplier.code))),
            "message": DONE.get(done),
            "error": error,
            "form": form or {},
            "can_pay": principal.role in FINANCE,
        },
        status_code=422 if error else 200,
    )


@router.get("/purchasing/payables", dependencies=[require(*PAYABLES_READERS)])
def payables_page(
    request: Request, session: SessionDep, state: str = "", done: str = ""
) -> Response:
    """Supplier invoices by due date, what is owed by age, credit notes."""
    return _payables_page(request, session, state=state[:20], done=done[:20])


@router.post("/purchasing/invoices/{invoice_id}/events/{event}", dependencies=[require(*FINANCE)])
def invoice_event(
    invoice_id: RowId,
    event: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Approve (a held invoice needs a reason) or cancel an invoice."""
    _, error = attempt(
        session,
        lambda: payables.fire(session, principal, invoice_id, event[:20], reason=form["reason"]),
    )
    if error is not None:
        form["invoice"] = str(invoice_id)
        return _payables_page(request, session, error=error, form=form)
    return RedirectResponse(f"/purchasing/payables?done={event[:20]}", 303)


@router.post("/purchasing/invoices/{invoice_id}/payments", dependencies=[require(*FINANCE)])
def pay(
    invoice_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """A payment to the supplier for this invoice."""

    def work() -> Any:
        data = PaymentIn(
            amount=amount(request, form["amount"], ""),
            paid_on=_date(request, form["paid_on"]),
            reference=form["reference"],
        )
        return payables.pay(session, principal, invoice_id, data)

    _, error = attempt(session, work)
    if error is not None:
        form["invoice"] = str(invoice_id)
        return _payables_page(request, session, error=error, form=form)
    return RedirectResponse("/purchasing/payables?done=paid", 303)


@router.post("/purchasing/credit-notes", dependencies=[require(*FINANCE)])
def credit_note(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Book a supplier's credit note."""

    def work() -> Any:
        data = CreditNoteIn(
            supplier_id=whole(request, form["supplier_id"]),
            number=form["number"],
            issued_on=_date(request, form["issued_on"]),
            amount=amount(request, form["amount"], ""),
            reference=form["reference"],
        )
        return payables.add_credit_note(session, principal, data)

    _, error = attempt(session, work)
    if error is not None:
        return _payables_page(request, session, error=error, form=form)
    return RedirectResponse("/purchasing/payables?done=credit", 303)


@router.post("/purchasing/credit-notes/{credit_id}/apply", dependencies=[require(*FINANCE)])
def apply_credit(
    credit_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Set part of a credit note against an approved invoice of its supplier."""
    note = session.get(CreditNote, credit_id)
    if note is None:
        raise NotFound("no credit note #{credit_id}", credit_id=credit_id)

    def work() -> Any:
        return payables.apply_credit(
            session,
            principal,
            credit_id,
            whole(request, form["invoice_id"]),
            amount(request, form["amount"], str(note.unapplied)),
        )

    _, error = attempt(session, work)
    if error is not None:
        return _payables_page(request, session, error=error, form=form)
    return RedirectResponse("/purchasing/payables?done=applied", 303)


# --- planning and stock -------------------------------------------------------------------


def _reorder_page(request: Request, session: Session, *, error: Any = None) -> Response:
    plan = replenish.plan(session, policy=Policy())
    warehouses = dict(session.execute(select(Warehouse.id, Warehouse.code)).all())
    return render(
        request,
        "purchasing_reorder.html",
        {"plan": plan, "warehouses": warehouses, "error": error},
        status_code=422 if error else 200,
    )


@router.get("/purchasing/reorder", dependencies=[require(*PLANNERS)])
def reorder(request: Request, session: SessionDep) -> Response:
    """What to buy now, per supplier, with the numbers behind every line."""
    return _reorder_page(request, session)


@router.post("/purchasing/reorder", dependencies=[require(*BUYERS)])
async def reorder_orders(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The ticked lines (quantities as edited) become draft purchase orders."""
    form = await request.form()

    def work() -> Any:
        picks = []
        for key in form.getlist("pick"):
            try:
                pid, sid, wid = (int(x) for x in str(key).split(":"))
            except ValueError:
                raise DataError(
                    "unknown line {key}", hint="reload the page", key=repr(key)
                ) from None
            picks.append(
                replenish.Pick(pid, sid, wid, whole(request, str(form.get(f"qty_{key}", ""))))
            )
        return replenish.make_orders(session, principal, picks)

    made, error = attempt(session, work)
    if error is not None or not made:
        return _reorder_page(request, session, error=error)
    return RedirectResponse("/purchasing?state=draft", 303)


def _stock_page(
    request: Request,
    session: Session,
    *,
    done: str = "",
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    rows = low_stock(replenish.low_stock_levels(session))
    ids = [r.level.product_id for r in rows]
    products = (
        {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
        if ids
        else {}
    )
    principal = request.state.principal
    return render(
        request,
        "purchasing_stock.html",
        {
            "low": rows,
            "products": products,
            "warehouses": list(session.scalars(select(Warehouse).order_by(Warehouse.id))),
            "valuation": costing.stock_valuation(session)
            if principal.role in PAYABLES_READERS
            else None,
            "can_level": principal.role in LEVELLERS,
            "message": DONE.get(done),
            "error": error,
            "form": form or {},
        },
        status_code=422 if error else 200,
    )


@router.get("/purchasing/stock", dependencies=[require(*STOCK)])
def stock(request: Request, session: SessionDep, done: str = "") -> Response:
    """Low stock per warehouse, the levels that define it, and (for finance and buyers) stock value."""
    return _stock_page(request, session, done=done[:20])


@router.post("/purchasing/levels", dependencies=[require(*LEVELLERS)])
def set_level(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Low-stock levels of a product in a warehouse."""
    sku = form["sku"]

    def work() -> Any:
        pid = session.scalar(select(Product.id).where(Product.sku == sku.strip()))
        if pid is None:
            raise DataError(
                "no product with SKU {sku}",
                hint="use the hub's SKU (see the catalog)",
                sku=repr(sku.strip()),
            )
        return bins.set_levels(
            session,
            whole(request, form["warehouse_id"]),
            pid,
            whole(request, form["reorder_point"]),
            whole(request, form["reorder_up_to"]),
        )

    _, error = attempt(session, work)
    if error is not None:
        return _stock_page(request, session, error=error, form=form)
    return RedirectResponse("/purchasing/stock?done=level", 303)
