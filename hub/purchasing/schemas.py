"""API shapes of purchasing (money as Decimal, sent as strings); names follow Create/Public."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field

MAX_AMOUNT = Decimal("999999999999.99")  # Rp 1 trillion: any document amount stays below it
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]
PositiveAmount = Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, decimal_places=2)]
Positive = Annotated[int, Field(ge=1, le=1_000_000)]
Text = Annotated[str, Field(max_length=2000)]


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    role: str = Field(default="", max_length=80)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)


class ContactPublic(ContactIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class SupplierIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    legal_name: str = Field(min_length=1, max_length=200)
    npwp: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=500)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    lead_time_days: int = Field(default=7, ge=0, le=365)
    note: Text = ""
    active: bool = True
    contacts: list[ContactIn] = Field(default=[], max_length=50)


class SupplierPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    legal_name: str
    npwp: str
    address: str
    email: str
    phone: str
    payment_terms_days: int
    lead_time_days: int
    currency: str
    active: bool
    note: str
    contacts: list[ContactPublic]


class SuppliersPublic(BaseModel):
    data: list[SupplierPublic]
    count: int


class SupplierProductIn(BaseModel):
    product_id: Optional[int] = Field(default=None, ge=1, le=2_147_483_647)
    sku: str = Field(default="", max_length=64)  # the hub's SKU, when product_id is not known
    supplier_code: str = Field(default="", max_length=64)
    unit_cost: Amount
    min_order_qty: Positive = 1
    order_multiple: Positive = 1
    lead_time_days: Optional[int] = Field(default=None, ge=0, le=365)
    preferred: bool = False


class SupplierProductsIn(BaseModel):
    items: list[SupplierProductIn] = Field(min_length=1, max_length=2000)


class SupplierProductPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    supplier_id: int
    product_id: int
    supplier_code: str
    unit_cost: Decimal
    min_order_qty: int
    order_multiple: int
    lead_time_days: Optional[int]
    preferred: bool


class SupplierProductsPublic(BaseModel):
    data: list[SupplierProductPublic]
    count: int


class OrderLineIn(BaseModel):
    product_id: Optional[int] = Field(default=None, ge=1, le=2_147_483_647)
    sku: str = Field(default="", max_length=64)
    quantity: Positive
    unit_cost: Optional[Amount] = None  # None: the supplier's price list


class PurchaseOrderCreate(BaseModel):
    supplier_id: int = Field(ge=1, le=2_147_483_647)
    warehouse_id: int = Field(ge=1, le=2_147_483_647)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    expected_on: Optional[dt.date] = None
    note: Text = ""


class LinesIn(BaseModel):
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class EventIn(BaseModel):
    reason: Text = ""


class OrderLinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    supplier_code: str
    quantity: int
    unit_cost: Decimal
    received: int
    outstanding: int


class PurchaseOrderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    supplier_id: int
    warehouse_id: int
    state: str
    source: str
    currency: str
    expected_on: Optional[dt.date]
    note: str
    reason: str
    created_by: str
    approved_by: str
    sent_to: str
    created_at: dt.datetime
    sent_at: Optional[dt.datetime]
    total: Decimal
    lines: list[OrderLinePublic]


class PurchaseOrdersPublic(BaseModel):
    data: list[PurchaseOrderPublic]
    count: int


class ReceiptLineIn(BaseModel):
    order_line_id: int = Field(ge=1, le=2_147_483_647)
    quantity: Positive
    reason: Text = ""  # needed when the line would go past what was ordered
    serials: list[Annotated[str, Field(max_length=80)]] = Field(default=[], max_length=10_000)


class ReceiptCreate(BaseModel):
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)
    freight: Amount = Decimal(0)
    duty: Amount = Decimal(0)
    other_costs: Amount = Decimal(0)
    delivery_note: str = Field(default="", max_length=60)
    note: Text = ""
    post: bool = True  # False keeps a draft (counting still going on)


class ReceiptLinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_line_id: int
    product_id: int
    quantity: int
    reason: str
    unit_cost: Decimal
    landed_total: Decimal
    landed_unit_cost: Decimal
    serials: list[str]


class ReceiptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    order_id: int
    warehouse_id: int
    state: str
    freight: Decimal
    duty: Decimal
    other_costs: Decimal
    delivery_note: str
    note: str
    reason: str
    posted_at: Optional[dt.datetime]
    lines: list[ReceiptLinePublic]


class ReceiptsPublic(BaseModel):
    data: list[ReceiptPublic]
    count: int


class InvoiceLineIn(BaseModel):
    order_line_id: int = Field(ge=1, le=2_147_483_647)
    quantity: Positive
    unit_price: Amount


class InvoiceCreate(BaseModel):
    order_id: int = Field(ge=1, le=2_147_483_647)
    number: str = Field(min_length=1, max_length=60)
    tax_invoice: str = Field(default="", max_length=40)
    invoice_date: dt.date
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=500)
    tax: Amount = Decimal(0)
    total: Amount


class InvoiceLinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_line_id: int
    quantity: int
    unit_price: Decimal


class InvoicePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    supplier_id: int
    order_id: int
    number: str
    tax_invoice: str
    invoice_date: dt.date
    due_on: dt.date
    state: str
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    paid: Decimal
    credited: Decimal
    outstanding: Decimal
    problems: list[str]
    override_reason: str
    lines: list[InvoiceLinePublic]


class InvoicesPublic(BaseModel):
    data: list[InvoicePublic]
    count: int


class PaymentIn(BaseModel):
    amount: PositiveAmount
    paid_on: dt.date
    reference: str = Field(default="", max_length=60)


class CreditNoteIn(BaseModel):
    supplier_id: int = Field(ge=1, le=2_147_483_647)
    number: str = Field(min_length=1, max_length=60)
    issued_on: dt.date
    amount: PositiveAmount
    reference: str = Field(default="", max_length=60)


class CreditNotePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    supplier_id: int
    number: str
    issued_on: dt.date
    amount: Decimal
    applied: Decimal
    unapplied: Decimal
    reference: str


class ApplyCreditIn(BaseModel):
    invoice_id: int = Field(ge=1, le=2_147_483_647)
    amount: PositiveAmount


class AgeingRow(BaseModel):
    supplier_id: int
    supplier: str
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    total: Decimal
    unapplied_credit: Decimal


class AgeingPublic(BaseModel):
    as_of: dt.date
    data: list[AgeingRow]
    totals: AgeingRow


class ValuationRow(BaseModel):
    product_id: int
    sku: str
    name: str
    on_hand: int
    average_cost: Optional[Decimal]
    value: Optional[Decimal]


class ValuationPublic(BaseModel):
    data: list[ValuationRow]
    count: int
    total_value: Decimal
    uncosted: int  # products on hand with no receipt cost yet (value unknown)


class LevelIn(BaseModel):
    warehouse_id: int = Field(ge=1, le=2_147_483_647)
    product_id: int = Field(ge=1, le=2_147_483_647)
    reorder_point: int = Field(ge=0, le=10_000_000)
    reorder_up_to: int = Field(default=0, ge=0, le=10_000_000)


class PlanLinePublic(BaseModel):
    product_id: int
    sku: str
    name: str
    warehouse_id: int
    quantity: int
    supplier_id: Optional[int]
    supplier_code: str
    unit_cost: Optional[Decimal]
    reasons: list[str]
    numbers: dict[str, str]


class PlanPublic(BaseModel):
    at: dt.datetime
    window_days: int
    safety_days: int
    cover_days: int
    data: list[PlanLinePublic]
    unsourced: list[PlanLinePublic]  # need stock, but no active supplier supplies them
    no_warehouse: bool


class PickIn(BaseModel):
    product_id: int = Field(ge=1, le=2_147_483_647)
    supplier_id: int = Field(ge=1, le=2_147_483_647)
    warehouse_id: int = Field(ge=1, le=2_147_483_647)
    quantity: Positive


class PicksIn(BaseModel):
    lines: list[PickIn] = Field(min_length=1, max_length=2000)


class LowStockRow(BaseModel):
    warehouse_id: int
    product_id: int
    sku: str
    name: str
    on_hand: int
    on_order: int
    reorder_point: int
    up_to: int
    suggested: int


class LowStockPublic(BaseModel):
    data: list[LowStockRow]
    count: int
