"""Pydantic shapes of the catalog API (money as Decimal, serialised as strings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


class ProductPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    ean: str | None
    name: str
    brand: str
    category: str
    specs: dict[str, Any]
    options: dict[str, Any]
    list_price: Decimal
    weight_kg: Decimal | None
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None
    warranty_months: int
    serialised: bool
    pack_size: int
    active: bool
    discontinued: bool
    images: list[str]


class ProductsPublic(BaseModel):
    data: list[ProductPublic]
    count: int


class ImportReportPublic(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    errors: list[str]
    applied: bool


class PriceQuotePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: int
    quantity: int
    unit_price: Decimal
    list_price: Decimal
    base_price: Decimal
    rule: str
    price_list_id: int
    price_list_name: str
    break_quantity: int
    promotion_id: int | None


class SuggestionPublic(BaseModel):
    id: int
    reseller_id: str
    reseller_sku: str
    reseller_name: str
    product: ProductPublic
    score: Decimal
    reason: str


class SuggestionsPublic(BaseModel):
    data: list[SuggestionPublic]
    count: int


class SkuLinkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reseller_id: str
    reseller_sku: str
    name: str
    product_id: int | None
    method: str
