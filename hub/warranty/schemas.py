"""API shapes of warranty. Resellers see claims, photos and the public timeline; supplier
claims (and any credit amount) are for staff only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field

from hub.purchasing.schemas import PositiveAmount

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


class ClaimCreate(BaseModel):
    serial: str = Field(min_length=1, max_length=80)
    sku: str = Field(default="", max_length=64)  # optional: the product, checked against the serial
    invoice_number: str = Field(default="", max_length=24)  # optional: checked against the shipment
    problem: str = Field(min_length=1, max_length=4000)


class ClaimStepIn(BaseModel):
    """Fields a step may need: findings (inspect), note/reason, return or replacement shipment."""

    note: str = Field(default="", max_length=4000)
    findings: str = Field(default="", max_length=4000)
    reason: str = Field(default="", max_length=4000)
    courier: str = Field(default="", max_length=40)
    waybill: str = Field(default="", max_length=60)
    replacement_serial: str = Field(default="", max_length=80)
    warehouse_id: Optional[Id] = None


class UnrepairableIn(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)
    disposition: str = Field(default="scrapped", max_length=16)  # scrapped | to_supplier


class PhotoPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    mime: str
    size: int
    uploaded_at: dt.datetime


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    event: str
    state: str
    note: str


class ClaimPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    reseller_id: str
    product_id: int
    serial: str
    order_id: Optional[int]
    invoice_number: str
    shipped_on: dt.date
    warranty_until: dt.date
    problem: str
    state: str
    findings: str
    resolution_note: str
    courier: str
    waybill: str
    created_at: dt.datetime
    photos: list[PhotoPublic]
    events: list[EventPublic]


class ClaimsPublic(BaseModel):
    data: list[ClaimPublic]
    count: int


class SupplierClaimCreate(BaseModel):
    supplier_id: Optional[Id] = None  # default: the supplier the unit was received from
    note: str = Field(default="", max_length=4000)


class SupplierStepIn(BaseModel):
    reason: str = Field(default="", max_length=4000)
    answer: str = Field(default="", max_length=16)  # credit_note | replacement | refusal
    answer_note: str = Field(default="", max_length=4000)
    credit_number: str = Field(default="", max_length=60)
    credit_amount: Optional[PositiveAmount] = None
    credit_date: Optional[dt.date] = None
    replacement_serial: str = Field(default="", max_length=80)
    warehouse_id: Optional[Id] = None


class SupplierDocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    mime: str
    size: int


class SupplierClaimPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    claim_id: int
    supplier_id: int
    state: str
    note: str
    answer: str
    answer_note: str
    credit_note_id: Optional[int]
    credit_amount: Optional[Decimal]
    replacement_serial_id: Optional[int]
    reason: str
    created_at: dt.datetime
    documents: list[SupplierDocumentPublic]


class SupplierClaimsPublic(BaseModel):
    data: list[SupplierClaimPublic]
    count: int


class TraceEventPublic(BaseModel):
    at: dt.datetime
    event: str
    reference: str
    reseller_id: Optional[str]
    actor: str
    note: str


class TracePublic(BaseModel):
    serial: str
    product_id: int
    sku: str
    state: str
    supplier: str
    receipt: str
    purchase_order: str
    order_id: Optional[int]
    reseller_id: Optional[str]
    shipped_at: Optional[dt.datetime]
    claims: list[str]
    supplier_claims: list[str]
    events: list[TraceEventPublic]


class TracesPublic(BaseModel):
    data: list[TracePublic]
    count: int
