"""Orders for staff: every order in tabs by state, search and filters, an order's whole
story (lines, payments, documents, shipping, history), cancel with a reason, mark
delivered, and bulk actions on the orders ticked (deliver, cancel, CSV).

Each change runs the same use cases as the API (:mod:`hub.orders.fulfilment`), one order
at a time in its own savepoint: a bulk action reports per order what was done and what
was refused, and a refusal never undoes the others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.audit.service import AuditFilter, list_entries
from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.i18n import Formatter, parse_date, zone
from hub.core.roles import STAFF, Principal, Role
from hub.core.sheets import write_table
from hub.core.templating import formatter, language, render
from hub.masterdata.pages import FormFields
from hub.orders import fulfilment, service, staff
from hub.orders.lifecycle import State, events_for
from hub.orders.models import Order
from hub.orders.pages import order_extras
from shared.errors import DataError, SyncHubError

router = APIRouter(include_in_schema=False)
MOVERS = (Role.OWNER, Role.OPERATIONS, Role.INVENTORY)  # deliver (the lifecycle's table)
CANCELLERS = (Role.OWNER, Role.OPERATIONS)
PAGE = 50
nav.register(nav.NavItem("Orders", "/orders", STAFF, order=14))


def _filter(request: Request, errors: list[Exception]) -> staff.OrderFilter:
    q = request.query_params
    tz = zone(getattr(request.state, "user_tz", None))
    days: list[dt.datetime | None] = []
    for name, shift in (("since", 0), ("until", 1)):
        raw = q.get(name, "")[:40]
        try:
            day = parse_date(raw, language(request)) if raw.strip() else None
        except DataError as exc:
            errors.append(exc)
            day = None
        days.append(
            dt.datetime.combine(day + dt.timedelta(days=shift), dt.time(), tz).astimezone(
                dt.timezone.utc
            )
            if day
            else None
        )
    tab = q.get("tab", "to_pay")
    return staff.OrderFilter(
        tab if tab in staff.TABS else "to_pay",
        q.get("q", "")[:60],
        q.get("reseller", "")[:31],
        days[0],
        days[1],
    )


@router.get("/orders", dependencies=[require(*STAFF)])
def orders(
    request: Request, session: SessionDep, page: int = Query(1, ge=1, le=100_000)
) -> Response:
    """Tabs by state with their counts, search (id, invoice, reference, reseller) and filters."""
    errors: list[Exception] = []
    f = _filter(request, errors)
    rows = staff.search(session, f, offset=(page - 1) * PAGE, limit=PAGE)
    keep = {
        k: v for k, v in request.query_params.items() if k in ("q", "reseller", "since", "until")
    }
    fmt, names = formatter(request), staff.names(session, rows)
    return render(
        request,
        "orders_staff.html",
        {
            # each row's values formatted here, once: 50 rows of template calls per cell
            # were most of the page's cost (bench/bench_backoffice.py)
            "orders": [
                (
                    o,
                    {
                        "reseller": names.get(o.reseller_id, ""),
                        "placed": fmt.datetime(o.placed_at),
                        "due": fmt.datetime(o.payment_due_at)
                        if o.state == "awaiting_payment" and o.payment_due_at
                        else "",
                        "total": fmt.money(o.total),
                        "amount_due": fmt.money(o.amount_due),
                    },
                )
                for o in rows
            ],
            "f": f,
            "typed": keep,
            "tabs": staff.TABS,
            "counts": staff.counts(session, f),
            "cap": staff.COUNT_CAP,
            "page": page,
            "more": len(rows) == PAGE,
            "query": urlencode({**keep, "tab": f.tab}),
            "filters": urlencode(keep),
            "error": errors[0] if errors else "",
        },
        status_code=422 if errors else 200,
    )


def _history(session: Session, order_id: int) -> list[Any]:
    entries, _ = list_entries(
        session, AuditFilter(entity="order", entity_id=str(order_id)), limit=200
    )
    return list(reversed(entries))


def _detail(
    request: Request,
    session: Session,
    principal: Principal,
    order_id: int,
    error: Any = "",
    status: int = 200,
) -> Response:
    order = service.get_order(session, principal, order_id)
    return render(
        request,
        "orders_staff_detail.html",
        {
            "o": order,
            "reseller": staff.names(session, [order]).get(order.reseller_id, ""),
            "history": _history(session, order.id),
            **order_extras(session, principal, order),
            "next_events": events_for(State(order.state), principal.role.value),
            "error": error,
        },
        status_code=status,
    )


@router.get("/orders/{order_id}", dependencies=[require(*STAFF)])
def order_page(
    order_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """One order: lines and amounts, payments and proofs, documents, shipping, its history."""
    return _detail(request, session, principal, order_id)


def _one(
    request: Request,
    session: Session,
    principal: Principal,
    order_id: int,
    work: Callable[[Order], Any],
) -> Response:
    try:
        work(service.get_order(session, principal, order_id, lock=True))
    except service.OrderNotFound:
        raise
    except SyncHubError as exc:
        session.rollback()
        return _detail(request, session, principal, order_id, exc, 409)
    return RedirectResponse(f"/orders/{order_id}", 303)


@router.post("/orders/{order_id}/cancel", dependencies=[require(*CANCELLERS)])
def cancel(
    order_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: FormFields,
) -> Response:
    """Cancel with a reason (told to the reseller; its stock goes back)."""
    reason = (form.get("reason") or [""])[-1]
    return _one(
        request,
        session,
        principal,
        order_id,
        lambda o: fulfilment.cancel(session, principal, o, reason),
    )


@router.post("/orders/{order_id}/deliver", dependencies=[require(*MOVERS)])
def deliver(
    order_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The reseller has the goods (courier's proof of delivery)."""
    return _one(
        request, session, principal, order_id, lambda o: fulfilment.deliver(session, principal, o)
    )


BULK = {
    "deliver": lambda s, p, o, reason: fulfilment.deliver(s, p, o),
    "cancel": lambda s, p, o, reason: fulfilment.cancel(s, p, o, reason),
}


@router.post("/orders/bulk", dependencies=[require(*STAFF)])
def bulk(
    request: Request, session: SessionDep, principal: CurrentPrincipal, form: FormFields
) -> Response:
    """The action on each ticked order, each on its own: what was done and what was refused."""
    action = (form.get("action") or [""])[-1]
    ids = sorted({int(i) for i in form.get("order", []) if i.isdigit() and len(i) < 10})
    fmt = Formatter(language(request))
    if action == "csv":
        return _csv(session, principal, ids, fmt)
    if action not in BULK or not ids:
        return RedirectResponse("/orders", 303)
    reason = (form.get("reason") or [""])[-1]
    done, refused = [], []
    for oid in ids:
        nested = session.begin_nested()
        try:
            BULK[action](
                session, principal, service.get_order(session, principal, oid, lock=True), reason
            )
            nested.commit()
            done.append(oid)
        except SyncHubError as exc:
            nested.rollback()
            refused.append((oid, fmt.error(exc)))
    return render(
        request,
        "orders_bulk.html",
        {
            "action": action,
            "done": done,
            "refused": refused,
            "back": (form.get("back") or ["/orders"])[-1],
        },
    )


def _csv(session: Session, principal: Principal, ids: list[int], fmt: Formatter) -> Response:
    """The chosen orders as CSV (hub.core.sheets: no cell runs as a formula in a spreadsheet)."""
    header = ["order", "reseller", "state", "placed_at", "invoice", "total", "paid", "due"]
    header += ["courier", "waybill"]
    rows = []
    for oid in ids:
        try:
            o = service.get_order(session, principal, oid)
        except service.OrderNotFound:
            continue
        rows.append(
            [
                o.id,
                o.reseller_id,
                o.state,
                o.placed_at.isoformat() if o.placed_at else "",
                o.invoice_number or "",
                o.total,
                o.paid_amount,
                o.amount_due,
                o.shipping_courier,
                o.waybill,
            ]
        )
    return Response(
        write_table(header, rows, "csv"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="orders.csv"'},
    )
