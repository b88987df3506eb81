"""Stock receipts and stock adjustments as master data: append-only logs that move stock.

A receipt (goods arrived: a purchase, a return) raises a warehouse's stock; an adjustment
corrects it up or down after a count, with its reason. Both are recorded once and never
edited — a mistake is corrected by another adjustment, so the log explains every unit.
Purchase-order receipts are :mod:`hub.purchasing`'s; these are the simple ones (no PO).
A file of receipts (CSV/XLSX) books them all at once, or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core.db import utcnow
from hub.core.roles import STAFF, Role
from hub.inventory.locations import move
from hub.inventory.models import StockAdjustment, StockReceipt
from hub.masterdata.fields import Field, Invalid, message_of
from hub.masterdata.kind import RecordKind
from hub.shipping.models import Warehouse
from shared.errors import SyncHubError

STOCK = frozenset({Role.OWNER, Role.OPERATIONS, Role.INVENTORY})
T = TypeVar("T", StockReceipt, StockAdjustment)
RECEIPT_REASONS = (
    ("purchase", "receipt:purchase"),
    ("return", "receipt:return"),
    ("transfer", "receipt:transfer"),
    ("other", "receipt:other"),
)
ADJUSTMENT_REASONS = (
    ("count", "adjustment:count"),
    ("damaged", "adjustment:damaged"),
    ("lost", "adjustment:lost"),
    ("expired", "adjustment:expired"),
    ("found", "adjustment:found"),
    ("transfer", "adjustment:transfer"),
    ("sample", "adjustment:sample"),
)


def warehouse_choices(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Warehouse.code, Warehouse.name)
        .where(Warehouse.active.is_(True))
        .order_by(Warehouse.code)
    )
    return [(code, f"{code} — {name}") for code, name in rows]


def _warehouse_id(session: Session, code: str | None) -> int:
    found = session.scalar(select(Warehouse.id).where(Warehouse.code == code)) if code else None
    if found is None:
        raise Invalid({"warehouse": ("no warehouse with code {code}", {"code": code or ""})})
    return found


def _product_id(session: Session, sku: str | None) -> int:
    found = session.scalar(select(Product.id).where(Product.sku == sku)) if sku else None
    if found is None:
        raise Invalid({"sku": ("no product with SKU {sku}", {"sku": sku or ""})})
    return found


def _names(session: Session, rows: Sequence[Any]) -> tuple[dict[int, str], dict[int, str]]:
    codes = dict(
        session.execute(
            select(Warehouse.id, Warehouse.code).where(
                Warehouse.id.in_({r.warehouse_id for r in rows})
            )
        ).all()
    )
    skus = dict(
        session.execute(
            select(Product.id, Product.sku).where(Product.id.in_({r.product_id for r in rows}))
        ).all()
    )
    return codes, skus


def _moved(session: Session, warehouse_id: int, product_id: int, quantity: int) -> None:
    try:
        move(session, warehouse_id, product_id, quantity)
    except SyncHubError as exc:
        raise Invalid({"quantity": message_of(exc)}) from None


class WarehouseLog(RecordKind[T]):
    """A log of one warehouse's stock movements: searched by product, narrowed by warehouse."""

    scopes = ("warehouse",)
    editable = False
    view_roles = STAFF
    edit_roles = STOCK

    def base(self) -> Select[Any]:
        return select(self.model).join(Product, Product.id == self.model.product_id)

    def narrow(self, session: Session, stmt: Select[Any], scope: Mapping[str, str]) -> Select[Any]:
        if scope.get("warehouse"):
            stmt = stmt.join(Warehouse, Warehouse.id == self.model.warehouse_id).where(
                Warehouse.code == scope["warehouse"]
            )
        return stmt


class StockReceipts(WarehouseLog[StockReceipt]):
    slug = "stock-receipts"
    entity = "stock_receipt"
    title = "Stock receipts"
    singular = "stock receipt"
    help = "Goods that arrived without a purchase order (returns, transfers, small purchases): each raises a warehouse's stock."
    model = StockReceipt
    fields = (
        Field("warehouse", "Warehouse", kind="choice", required=True, choices=warehouse_choices),
        Field("sku", "SKU", required=True, max_length=64),
        Field(
            "quantity",
            "Quantity",
            kind="int",
            required=True,
            minimum=Decimal(1),
            maximum=Decimal(10_000_000),
        ),
        Field("reason", "Reason", kind="choice", options=RECEIPT_REASONS, default="purchase"),
        Field("reference", "Reference (supplier invoice, delivery note)", max_length=120),
        Field("note", "Note", max_length=300, listed=False),
    )
    searched = (Product.sku, Product.name, StockReceipt.reference)
    order_by = (StockReceipt.id.desc(),)

    def values(self, session: Session, rows: Sequence[StockReceipt]) -> list[dict[str, Any]]:
        codes, skus = _names(session, rows)
        return [
            {
                "warehouse": codes.get(r.warehouse_id) if r.warehouse_id else None,
                "sku": skus.get(r.product_id),
                "quantity": r.quantity,
                "reason": r.reason,
                "reference": r.reference,
                "note": r.note,
            }
            for r in rows
        ]

    def assign(
        self, session: Session, row: StockReceipt, values: Mapping[str, Any], creating: bool
    ) -> None:
        row.warehouse_id = _warehouse_id(session, values.get("warehouse"))
        row.product_id = _product_id(session, values.get("sku"))
        row.quantity = int(values["quantity"])
        row.reason = values.get("reason") or "purchase"
        row.reference, row.note = values.get("reference") or "", values.get("note") or ""
        row.received_at = utcnow()
        row.received_by = self.actor
        _moved(session, row.warehouse_id, row.product_id, row.quantity)


class StockAdjustments(WarehouseLog[StockAdjustment]):
    slug = "stock-adjustments"
    entity = "stock_adjustment"
    title = "Stock adjustments"
    singular = "stock adjustment"
    help = "Corrections after a count, damage or loss: a positive quantity adds, a negative one removes, always with a reason."
    model = StockAdjustment
    fields = (
        Field("warehouse", "Warehouse", kind="choice", required=True, choices=warehouse_choices),
        Field("sku", "SKU", required=True, max_length=64),
        Field(
            "quantity",
            "Quantity (+ adds, − removes)",
            kind="int",
            required=True,
            minimum=Decimal(-10_000_000),
            maximum=Decimal(10_000_000),
        ),
        Field("reason", "Reason", kind="choice", options=ADJUSTMENT_REASONS, required=True),
        Field("note", "Note", max_length=300),
    )
    searched = (Product.sku, Product.name, StockAdjustment.note)
    order_by = (StockAdjustment.id.desc(),)

    def values(self, session: Session, rows: Sequence[StockAdjustment]) -> list[dict[str, Any]]:
        codes, skus = _names(session, rows)
        return [
            {
                "warehouse": codes.get(r.warehouse_id),
                "sku": skus.get(r.product_id),
                "quantity": r.quantity,
                "reason": r.reason,
                "note": r.note,
            }
            for r in rows
        ]

    def assign(
        self, session: Session, row: StockAdjustment, values: Mapping[str, Any], creating: bool
    ) -> None:
        if int(values["quantity"]) == 0:
            raise Invalid({"quantity": ("the quantity cannot be zero", {})})
        row.warehouse_id = _warehouse_id(session, values.get("warehouse"))
        row.product_id = _product_id(session, values.get("sku"))
        row.quantity, row.reason = int(values["quantity"]), values["reason"]
        row.note = values.get("note") or ""
        row.adjusted_at, row.adjusted_by = utcnow(), self.actor
        _moved(session, row.warehouse_id, row.product_id, row.quantity)


RECEIPTS, ADJUSTMENTS = StockReceipts(), StockAdjustments()
