"""Purchasing API, money and planning side: supplier invoices and payments, credit notes,
payables ageing, stock valuation at moving average cost, reorder suggestions, low stock.

Finance pays; buyers see invoices and plan; the warehouse sets low-stock levels. Resellers
have no access to any of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.deps import RowId, SessionDep, require
from hub.core.i18n import DISPLAY_TZ
from hub.core.roles import Principal, Role
from hub.inventory import bins
from hub.purchasing import costing, payables, replenish
from hub.purchasing.reorder import Policy, low_stock
from hub.purchasing.schemas import (
    AgeingPublic,
    AgeingRow,
    ApplyCreditIn,
    CreditNoteIn,
    CreditNotePublic,
    EventIn,
    InvoiceCreate,
    InvoicePublic,
    InvoicesPublic,
    LevelIn,
    LowStockPublic,
    LowStockRow,
    PaymentIn,
    PicksIn,
    PlanLinePublic,
    PlanPublic,
    PurchaseOrderPublic,
    PurchaseOrdersPublic,
    ValuationPublic,
    ValuationRow,
)
from shared.errors import NotFound

router = APIRouter(prefix="/api/v1/purchasing", tags=["purchasing"])
FINANCE = (Role.OWNER, Role.FINANCE)
Finance = Annotated[Principal, require(*FINANCE)]
InvoiceReader = Annotated[Principal, require(*FINANCE, Role.PURCHASING)]
Planner = Annotated[Principal, require(Role.OWNER, Role.PURCHASING, Role.OPERATIONS)]
Buyer = Annotated[Principal, require(Role.OWNER, Role.PURCHASING)]
Stock = Annotated[Principal, require(Role.OWNER, Role.PURCHASING, Role.INVENTORY, Role.OPERATIONS)]
Leveller = Annotated[Principal, require(Role.OWNER, Role.PURCHASING, Role.INVENTORY)]
Valuer = Annotated[Principal, require(*FINANCE, Role.PURCHASING)]
Id = Annotated[Optional[int], Query(ge=1, le=2_147_483_647)]


@router.get("/invoices", response_model=InvoicesPublic)
def list_invoices(
    session: SessionDep,
    principal: InvoiceReader,
    supplier_id: Id = None,
    state: Annotated[Optional[str], Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> InvoicesPublic:
    """Supplier invoices by due date; filter by supplier or state (held, matched, approved...)."""
    rows, count = payables.list_invoices(
        session, supplier_id=supplier_id, state=state, limit=limit, offset=offset
    )
    return InvoicesPublic(data=[InvoicePublic.model_validate(i) for i in rows], count=count)


@router.post("/invoices", status_code=201, response_model=InvoicePublic)
def register_invoice(body: InvoiceCreate, session: SessionDep, principal: Finance) -> InvoicePublic:
    """Book a supplier's invoice for a purchase order: it is matched (or held, with why)."""
    out = InvoicePublic.model_validate(payables.register_invoice(session, principal, body))
    return out


@router.get("/invoices/{invoice_id}", response_model=InvoicePublic)
def get_invoice(invoice_id: RowId, session: SessionDep, principal: InvoiceReader) -> InvoicePublic:
    """One supplier invoice with its lines and match result."""
    return InvoicePublic.model_validate(payables.get_invoice(session, invoice_id))


@router.post("/invoices/{invoice_id}/events/{event}", response_model=InvoicePublic)
def fire_invoice(
    invoice_id: RowId,
    event: Annotated[str, Path(max_length=20)],
    session: SessionDep,
    principal: Finance,
    body: Optional[EventIn] = None,
) -> InvoicePublic:
    """approve (a held invoice needs a reason) or cancel (nothing paid; with a reason)."""
    inv = payables.fire(session, principal, invoice_id, event, reason=(body or EventIn()).reason)
    out = InvoicePublic.model_validate(inv)
    return out


@router.post("/invoices/{invoice_id}/payments", status_code=201, response_model=InvoicePublic)
def pay_invoice(
    invoice_id: RowId, body: PaymentIn, session: SessionDep, principal: Finance
) -> InvoicePublic:
    """A payment to the supplier (at most what is still owed)."""
    payables.pay(session, principal, invoice_id, body)
    out = InvoicePublic.model_validate(payables.get_invoice(session, invoice_id))
    return out


@router.get("/credit-notes", response_model=list[CreditNotePublic])
def list_credit_notes(
    session: SessionDep, principal: InvoiceReader, supplier_id: Id = None
) -> list[CreditNotePublic]:
    """Suppliers' credit notes, newest first, with what is still to apply."""
    return [CreditNotePublic.model_validate(c) for c in payables.credit_notes(session, supplier_id)]


@router.post("/credit-notes", status_code=201, response_model=CreditNotePublic)
def add_credit_note(
    body: CreditNoteIn, session: SessionDep, principal: Finance
) -> CreditNotePublic:
    """Book a credit note a supplier issued."""
    out = CreditNotePublic.model_validate(payables.add_credit_note(session, principal, body))
    return out


@router.post("/credit-notes/{credit_id}/apply", response_model=InvoicePublic)
def apply_credit(
    credit_id: RowId, body: ApplyCreditIn, session: SessionDep, principal: Finance
) -> InvoicePublic:
    """Set part of a credit note against an approved invoice of the same supplier."""
    payables.apply_credit(session, principal, credit_id, body.invoice_id, body.amount)
    out = InvoicePublic.model_validate(payables.get_invoice(session, body.invoice_id))
    return out


def _row(line: payables.AgeingLine) -> AgeingRow:
    return AgeingRow(
        supplier_id=line.supplier_id,
        supplier=line.supplier,
        total=line.total,
        unapplied_credit=line.unapplied_credit,
        **line.amounts,
    )


@router.get("/payables/ageing", response_model=AgeingPublic)
def payables_ageing(
    session: SessionDep, principal: InvoiceReader, as_of: Optional[dt.date] = None
) -> AgeingPublic:
    """What is owed per supplier by days past due (default: today in WIB)."""
    day = as_of or utcnow().astimezone(DISPLAY_TZ).date()
    lines = payables.ageing(session, day)
    total = payables.AgeingLine(
        0, "", {b: sum((ln.amounts[b] for ln in lines), payables.ZERO) for b in payables.BUCKETS}
    )
    total.unapplied_credit = sum((ln.unapplied_credit for ln in lines), payables.ZERO)
    return AgeingPublic(as_of=day, data=[_row(ln) for ln in lines], totals=_row(total))


@router.get("/valuation", response_model=ValuationPublic)
def stock_valuation(session: SessionDep, principal: Valuer) -> ValuationPublic:
    """Stock on hand at moving average cost; products never received at a cost are counted apart."""
    val = costing.stock_valuation(session)
    rows = [
        ValuationRow(
            product_id=r.product_id,
            sku=r.sku,
            name=r.name,
            on_hand=r.on_hand,
            average_cost=r.average_cost,
            value=r.value,
        )
        for r in val.rows
    ]
    return ValuationPublic(
        data=rows, count=len(rows), total_value=val.total, uncosted=len(val.uncosted)
    )


def _plan_line(ln: replenish.PlanLine) -> PlanLinePublic:
    return PlanLinePublic(
        product_id=ln.product_id,
        sku=ln.sku,
        name=ln.name,
        warehouse_id=ln.warehouse_id,
        quantity=ln.quantity,
        supplier_id=ln.source.supplier_id if ln.source else None,
        supplier_code=ln.source.supplier_code if ln.source else "",
        unit_cost=ln.source.unit_cost if ln.source else None,
        reasons=ln.reasons,
        numbers=ln.numbers,
    )


@router.get("/reorder", response_model=PlanPublic)
def reorder_plan(
    session: SessionDep,
    principal: Planner,
    window_days: Annotated[int, Query(ge=1, le=365)] = 28,
    safety_days: Annotated[int, Query(ge=0, le=365)] = 7,
    cover_days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> PlanPublic:
    """Suggested purchases: sell-through at the resellers, hub stock, open orders, lead time,
    accepted offers, and low-stock levels per warehouse, each line with its numbers."""
    policy = Policy(window_days, safety_days, cover_days)
    plan = replenish.plan(session, policy=policy)
    return PlanPublic(
        at=plan.at,
        window_days=window_days,
        safety_days=safety_days,
        cover_days=cover_days,
        data=[_plan_line(ln) for ln in plan.lines],
        unsourced=[_plan_line(ln) for ln in plan.unsourced],
        no_warehouse=plan.no_warehouse,
    )


@router.post("/reorder/orders", status_code=201, response_model=PurchaseOrdersPublic)
def reorder_orders(body: PicksIn, session: SessionDep, principal: Buyer) -> PurchaseOrdersPublic:
    """Turn reviewed suggestions into draft purchase orders (one per supplier and warehouse)."""
    picks = [
        replenish.Pick(p.product_id, p.supplier_id, p.warehouse_id, p.quantity) for p in body.lines
    ]
    made = replenish.make_orders(session, principal, picks)
    out = [PurchaseOrderPublic.model_validate(po) for po in made]
    return PurchaseOrdersPublic(data=out, count=len(out))


@router.get("/low-stock", response_model=LowStockPublic)
def low_stock_report(
    session: SessionDep, principal: Stock, warehouse_id: Id = None
) -> LowStockPublic:
    """Bins at or below their reorder point (counting what is on order for that warehouse)."""
    rows = low_stock(replenish.low_stock_levels(session, warehouse_id))
    names = dict(
        (pid, (sku, name))
        for pid, sku, name in session.execute(
            select(Product.id, Product.sku, Product.name).where(
                Product.id.in_([r.level.product_id for r in rows])
            )
        )
    )
    data = [
        LowStockRow(
            warehouse_id=r.level.warehouse_id,
            product_id=r.level.product_id,
            sku=names.get(r.level.product_id, ("", ""))[0],
            name=names.get(r.level.product_id, ("", ""))[1],
            on_hand=r.level.on_hand,
            on_order=r.level.on_order,
            reorder_point=r.level.reorder_point,
            up_to=r.up_to,
            suggested=r.quantity,
        )
        for r in rows
    ]
    return LowStockPublic(data=data, count=len(data))


@router.put("/levels", response_model=LowStockRow)
def set_level(body: LevelIn, session: SessionDep, principal: Leveller) -> LowStockRow:
    """Low-stock levels of a product in a warehouse (reorder point, refill level)."""
    product = session.get(Product, body.product_id)
    if product is None:
        raise NotFound(
            "no product #{product_id}", hint="see the catalog", product_id=body.product_id
        )
    b = bins.set_levels(
        session, body.warehouse_id, body.product_id, body.reorder_point, body.reorder_up_to
    )
    out = LowStockRow(
        warehouse_id=b.warehouse_id,
        product_id=b.product_id,
        sku=product.sku,
        name=product.name,
        on_hand=b.on_hand,
        on_order=0,
        reorder_point=b.reorder_point,
        up_to=b.reorder_up_to or 2 * b.reorder_point,
        suggested=0,
    )
    return out
