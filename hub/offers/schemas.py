"""Pydantic shapes of the offers API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class OfferPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reseller_id: str
    product_id: int
    kind: str
    status: str
    rank: int
    quantity: int
    unit_price: Decimal
    price_rule: str
    numbers: dict[str, str]
    reason: str
    valid_from: dt.datetime
    valid_to: dt.datetime


class OffersPublic(BaseModel):
    data: list[OfferPublic]
    count: int


class OfferDecision(BaseModel):
    ids: list[int] = Field(min_length=1)
    action: str = Field(pattern="^(approve|drop)$")


class OfferEdit(BaseModel):
    quantity: int = Field(ge=1)


class ConversionPublic(BaseModel):
    reseller_id: str
    kind: str
    published: int
    accepted: int
    rate: Decimal
