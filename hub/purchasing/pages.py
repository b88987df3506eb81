"""Purchasing pages for staff: purchase orders (list, new, detail with receive and invoice
forms) and suppliers. Rules live in the services; a refused change re-renders the page
with the message next to what was typed (nothing is changed)."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require
from hub.core.forms import Posted, PostedForm
from hub.core.i18n import parse_date
from hub.core.roles import Principal, Role
from hub.core.templating import language, render
from hub.inventory.serials import parse_list
from hub.purchasing import payables, receiving, service, suppliers
from hub.purchasing.lifecycle import INVOICE, PURCHASE_ORDER, RECEIPT
from hub.purchasing.models import SupplierInvoice
from hub.purchasing.schemas import (
    ContactIn,
    InvoiceCreate,
    InvoiceLineIn,
    OrderLineIn,
    PurchaseOrderCreate,
    ReceiptCreate,
    ReceiptLineIn,
    SupplierIn,
    SupplierProductIn,
)
from hub.purchasing.web import EVENTS, STATES, amount, attempt, whole
from hub.shipping.models import Warehouse
from shared.errors import DataError

router = APIRouter(include_in_schema=False)
BUYERS = (Role.OWNER, Role.PURCHASING)
READERS = (*BUYERS, Role.INVENTORY, Role.FINANCE, Role.OPERATIONS)
RECEIVERS = (*BUYERS, Role.INVENTORY)
FINANCE = (Role.OWNER, Role.FINANCE)
DONE = {
    "created": "Purchase order created.",
    "approve": "Purchase order approved.",
    "send": "Purchase order sent to the supplier by e-mail.",
    "cancel": "Purchase order cancelled.",
    "close": "Purchase order closed.",
    "received": "Receipt posted: stock booked.",
    "drafted": "Receipt saved as a draft.",
    "reversed": "Receipt reversed.",
    "invoiced": "Supplier invoice booked.",
    "saved": "Saved.",
}

nav.register(nav.NavItem("Purchasing", "/purchasing", frozenset(READERS), order=58))


def _warehouses(session: Session) -> list[Warehouse]:
    return list(
        session.scalars(select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.id))
    )


def _orders_page(
    request: Request,
    session: Session,
    *,
    state: str = "",
    form: Optional[dict[str, str]] = None,
    error: Any = None,
) -> Response:
    rows, count = service.list_orders(session, state=state or None, limit=200)
    names = dict(session.execute(select(suppliers.Supplier.id, suppliers.Supplier.code)).all())
    active, _ = suppliers.list_suppliers(session, active=True, limit=500)
    return render(
        request,
        "purchasing_orders.html",
        {
            "orders": rows,
            "count": count,
            "state": state,
            "states": STATES,
            "order_states": sorted(PURCHASE_ORDER.states),
            "supplier_code": names,
            "suppliers": active,
            "warehouses": _warehouses(session),
            "form": form or {},
            "error": error,
        },
        status_code=422 if error else 200,
    )


@router.get("/purchasing", dependencies=[require(*READERS)])
def orders(request: Request, session: SessionDep, state: str = "") -> Response:
    """Purchase orders by state, and a form for a new one."""
    return _orders_page(request, session, state=state[:20])


def _lines(request: Request, text: str) -> list[OrderLineIn]:
    """``SKU quantity [unit cost]`` per line, as a buyer types a list (numbers as displayed)."""
    out = []
    for n, raw in enumerate((text or "").splitlines(), 1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) not in (2, 3):
            raise DataError(
                "line {n}: write 'SKU quantity' or 'SKU quantity unit-cost', got {line}",
                n=n,
                line=repr(raw.strip()),
            )
        cost = amount(request, parts[2]) if len(parts) == 3 else None
        qty = whole(request, parts[1])
        if qty < 1:
            raise DataError("line {n}: the quantity must be at least 1", n=n)
        out.append(OrderLineIn(sku=parts[0], quantity=qty, unit_cost=cost))
    if not out:
        raise DataError("the order has no lines", hint="one line per product: SKU and quantity")
    return out


@router.post("/purchasing/orders", dependencies=[require(*BUYERS)])
def create_order(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """A draft purchase order from a supplier, a warehouse and lines typed as 'SKU quantity'."""

    def work() -> Any:
        data = PurchaseOrderCreate(
            supplier_id=whole(request, form["supplier_id"]),
            warehouse_id=whole(request, form["warehouse_id"]),
            lines=_lines(request, form["lines"]),
            note=form["note"],
        )
        return service.create_order(session, principal, data)

    po, error = attempt(session, work)
    if error is not None or po is None:
        return _orders_page(request, session, form=form, error=error)
    return RedirectResponse(f"/purchasing/orders/{po.id}?done=created", 303)


def _order_page(
    request: Request,
    session: Session,
    principal: Principal,
    po_id: int,
    *,
    done: str = "",
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    po = service.get_order(session, po_id)
    supplier = suppliers.get_supplier(session, po.supplier_id)
    ids = [ln.product_id for ln in po.lines]
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    invoices = list(
        session.scalars(
            select(SupplierInvoice)
            .where(SupplierInvoice.order_id == po.id)
            .order_by(SupplierInvoice.id)
        )
    )
    role = principal.role.value
    return render(
        request,
        "purchasing_order.html",
        {
            "po": po,
            "supplier": supplier,
            "warehouse": session.get(Warehouse, po.warehouse_id),
            "products": products,
            "receipts": receiving.receipts_of(session, po.id),
            "invoices": invoices,
            "events": PURCHASE_ORDER.events_for(po.state, role),
            "receipt_events": {r: RECEIPT.events_for(r, role) for r in RECEIPT.states},
            "invoice_events": {i: INVOICE.events_for(i, role) for i in INVOICE.states},
            "can_receive": principal.role in RECEIVERS
            and po.state in ("sent", "partly_received", "received"),
            "can_invoice": principal.role in FINANCE and po.state in payables.INVOICEABLE_PO,
            "states": STATES,
            "event_words": EVENTS,
            "message": DONE.get(done),
            "error": error,
            "form": form or {},
        },
        status_code=(409 if error else 200),
    )


@router.get("/purchasing/orders/{po_id}", dependencies=[require(*READERS)])
def order(
    po_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal, done: str = ""
) -> Response:
    """One purchase order: lines, what arrived, receipts, invoices and what can be done next."""
    return _order_page(request, session, principal, po_id, done=done[:20])


@router.post("/purchasing/orders/{po_id}/events/{event}", dependencies=[require(*BUYERS)])
def order_event(
    po_id: RowId,
    event: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Approve, send (PDF e-mailed to the supplier), cancel or close (a reason when short)."""
    files = settings.home / "purchasing" / "orders"
    _, error = attempt(
        session,
        lambda: service.fire(
            session, principal, po_id, event[:20], reason=form["reason"], files=files
        ),
    )
    if error is not None:
        return _order_page(request, session, principal, po_id, error=error, form=form)
    return RedirectResponse(f"/purchasing/orders/{po_id}?done={event[:20]}", 303)


@router.post("/purchasing/orders/{po_id}/receipts", dependencies=[require(*RECEIVERS)])
def receive(
    po_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Goods arrived: per line the quantity, a reason when more than ordered, the serials."""

    def work() -> Any:
        po = service.get_order(session, po_id)
        lines = []
        for ln in po.lines:
            qty = whole(request, form[f"qty_{ln.id}"])
            if qty:
                lines.append(
                    ReceiptLineIn(
                        order_line_id=ln.id,
                        quantity=qty,
                        reason=form[f"reason_{ln.id}"],
                        serials=parse_list(form[f"serials_{ln.id}"]),
                    )
                )
        if not lines:
            raise DataError("type the quantity that arrived on at least one line")
        data = ReceiptCreate(
            lines=lines,
            freight=amount(request, form["freight"]),
            duty=amount(request, form["duty"]),
            other_costs=amount(request, form["other_costs"]),
            delivery_note=form["delivery_note"],
            post=form.get("post", "1") == "1",
        )
        return receiving.create_receipt(session, principal, po_id, data)

    r, error = attempt(session, work)
    if error is not None or r is None:
        return _order_page(request, session, principal, po_id, error=error, form=form)
    return RedirectResponse(
        f"/purchasing/orders/{po_id}?done={'received' if r.state == 'posted' else 'drafted'}", 303
    )


@router.post("/purchasing/receipts/{receipt_id}/events/{event}", dependencies=[require(*RECEIVERS)])
def receipt_event(
    receipt_id: RowId,
    event: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Post or cancel a draft receipt; reverse a posted one (with a reason)."""
    r = receiving.get_receipt(session, receipt_id)
    _, error = attempt(
        session,
        lambda: receiving.fire(session, principal, receipt_id, event[:20], reason=form["reason"]),
    )
    if error is not None:
        return _order_page(request, session, principal, r.order_id, error=error, form=form)
    done = {"post": "received", "reverse": "reversed"}.get(event, "saved")
    return RedirectResponse(f"/purchasing/orders/{r.order_id}?done={done}", 303)


@router.post("/purchasing/orders/{po_id}/invoices", dependencies=[require(*FINANCE)])
def register_invoice(
    po_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Book the supplier's invoice for this order: it is matched three ways at once."""

    def work() -> Any:
        po = service.get_order(session, po_id)
        lines = [
            InvoiceLineIn(
                order_line_id=ln.id,
                quantity=whole(request, form[f"inv_qty_{ln.id}"]),
                unit_price=amount(request, form[f"inv_price_{ln.id}"]),
            )
            for ln in po.lines
            if form[f"inv_qty_{ln.id}"].strip() not in ("", "0")
        ]
        data = InvoiceCreate(
            order_id=po_id,
            number=form["number"],
            tax_invoice=form["tax_invoice"],
            invoice_date=parse_date(form["invoice_date"], language(request)),
            lines=lines,
            tax=amount(request, form["tax"]),
            total=amount(request, form["total"]),
        )
        return payables.register_invoice(session, principal, data)

    inv, error = attempt(session, work)
    if error is not None:
        return _order_page(request, session, principal, po_id, error=error, form=form)
    return RedirectResponse(f"/purchasing/orders/{po_id}?done=invoiced", 303)


# --- suppliers ---------------------------------------------------------------------------


def _supplier_form(form: Posted, request: Request) -> SupplierIn:
    contacts = []
    if form["contact_name"].strip():
        contacts.append(
            ContactIn(
                name=form["contact_name"],
                role=form["contact_role"],
                email=form["contact_email"],
                phone=form["contact_phone"],
            )
        )
    return SupplierIn(
        code=form["code"],
        legal_name=form["legal_name"],
        npwp=form["npwp"],
        address=form["address"],
        email=form["email"],
        phone=form["phone"],
        payment_terms_days=whole(request, form["payment_terms_days"], 30),
        lead_time_days=whole(request, form["lead_time_days"], 7),
        note=form["note"],
        active=form.get("active", "1") == "1",
        contacts=contacts,
    )


def _suppliers_page(
    request: Request,
    session: Session,
    *,
    form: Optional[dict[str, str]] = None,
    error: Any = None,
    q: str = "",
) -> Response:
    rows, count = suppliers.list_suppliers(session, q=q, limit=500)
    return render(
        request,
        "purchasing_suppliers.html",
        {
            "suppliers": rows,
            "count": count,
            "q": q,
            "form": form or {},
            "error": error,
            "format_npwp": suppliers.format_npwp,
        },
        status_code=422 if error else 200,
    )


@router.get("/purchasing/suppliers", dependencies=[require(*READERS)])
def supplier_list(request: Request, session: SessionDep, q: str = "") -> Response:
    """Suppliers (search by code or name) and the form to add one."""
    return _suppliers_page(request, session, q=q[:100])


@router.post("/purchasing/suppliers", dependencies=[require(*BUYERS)])
def supplier_add(
    request: Request, session: SessionDep, principal: CurrentPrincipal, form: PostedForm
) -> Response:
    """Add a supplier."""
    sup, error = attempt(
        session,
        lambda: suppliers.create_supplier(session, principal, _supplier_form(form, request)),
    )
    if error is not None or sup is None:
        return _suppliers_page(request, session, form=form, error=error)
    return RedirectResponse(f"/purchasing/suppliers/{sup.id}?done=saved", 303)


def _supplier_page(
    request: Request,
    session: Session,
    supplier_id: int,
    *,
    done: str = "",
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    sup = suppliers.get_supplier(session, supplier_id)
    return render(
        request,
        "purchasing_supplier.html",
        {
            "s": sup,
            "products": suppliers.products_of(session, supplier_id),
            "orders": service.list_orders(session, supplier_id=supplier_id, limit=20)[0],
            "states": STATES,
            "format_npwp": suppliers.format_npwp,
            "message": DONE.get(done),
            "error": error,
            "form": form or {},
        },
        status_code=422 if error else 200,
    )


@router.get("/purchasing/suppliers/{supplier_id}", dependencies=[require(*READERS)])
def supplier(supplier_id: RowId, request: Request, session: SessionDep, done: str = "") -> Response:
    """A supplier: details, contacts, the products it supplies at what cost, recent orders."""
    return _supplier_page(request, session, supplier_id, done=done[:20])


@router.post("/purchasing/suppliers/{supplier_id}", dependencies=[require(*BUYERS)])
def supplier_save(
    supplier_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Save the supplier's details."""
    form["code"] = suppliers.get_supplier(session, supplier_id).code
    _, error = attempt(
        session,
        lambda: suppliers.update_supplier(
            session, principal, supplier_id, _supplier_form(form, request)
        ),
    )
    if error is not None:
        return _supplier_page(request, session, supplier_id, error=error, form=form)
    return RedirectResponse(f"/purchasing/suppliers/{supplier_id}?done=saved", 303)


@router.post("/purchasing/suppliers/{supplier_id}/products", dependencies=[require(*BUYERS)])
def supplier_product(
    supplier_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    """Add or change a product this supplier supplies (its code, our cost, order sizes)."""

    def work() -> Any:
        lead_time = form["lead_time_days"]
        item = SupplierProductIn(
            sku=form["sku"].strip(),
            supplier_code=form["supplier_code"],
            unit_cost=amount(request, form["unit_cost"], ""),
            min_order_qty=whole(request, form["min_order_qty"], 1),
            order_multiple=whole(request, form["order_multiple"], 1),
            lead_time_days=whole(request, lead_time) if lead_time.strip() else None,
            preferred=form["preferred"] == "1",
        )
        return suppliers.set_products(session, principal, supplier_id, [item])

    _, error = attempt(session, work)
    if error is not None:
        return _supplier_page(request, session, supplier_id, error=error, form=form)
    return RedirectResponse(f"/purchasing/suppliers/{supplier_id}?done=saved", 303)
