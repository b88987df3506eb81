"""Stock API: levels for staff, receipts by the warehouse."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.core.deps import SessionDep, require
from hub.core.roles import STAFF, Principal, Role
from hub.inventory import service

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])
Staff = Annotated[Principal, require(*STAFF)]
Warehouse = Annotated[Principal, require(Role.INVENTORY, Role.OWNER)]


class ReceiptIn(BaseModel):
    product_id: int
    quantity: int = Field(gt=0)
    reference: str = Field(default="", max_length=120)


def _item(i: Any) -> dict[str, int]:
    return {
        "product_id": i.product_id,
        "on_hand": i.on_hand,
        "reserved": i.reserved,
        "available": i.available,
        "shipped": i.shipped,
    }


@router.get("")
def stock_levels(session: SessionDep, principal: Staff) -> dict[str, Any]:
    """On hand, reserved by open orders, available and shipped, per product."""
    data = [_item(i) for i in service.levels(session)]
    return {"data": data, "count": len(data)}


@router.post("/receipts", status_code=201)
def receive(body: ReceiptIn, session: SessionDep, principal: Warehouse) -> dict[str, int]:
    """Book received stock (a purchase arrived)."""
    item = service.receive(
        session,
        body.product_id,
        body.quantity,
        reference=body.reference,
        received_by=principal.username,
    )
    out = _item(item)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return out
