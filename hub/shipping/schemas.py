"""API shapes of the shipping capability (kept apart from the ORM tables)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.shipping.rules import LIMITS, Item


class QuoteItem(BaseModel):
    weight: Decimal = Field(ge=0, le=LIMITS["weight"], description="kg per unit")
    length: Decimal = Field(default=Decimal(0), ge=0, le=LIMITS["length"], description="cm")
    width: Decimal = Field(default=Decimal(0), ge=0, le=LIMITS["width"])
    height: Decimal = Field(default=Decimal(0), ge=0, le=LIMITS["height"])
    quantity: int = Field(default=1, ge=1, le=10_000)
    value: Decimal = Field(default=Decimal(0), ge=0, le=LIMITS["value"], description="IDR per unit")

    def to_item(self) -> Item:
        return Item(self.weight, self.length, self.width, self.height, self.quantity, self.value)


class QuoteCreate(BaseModel):
    origin: str = Field(description="warehouse code, or a Kemendagri region code")
    destination: str | None = Field(default=None, description="region code in `scheme`")
    scheme: str = "kemendagri"
    postal_code: str | None = None
    items: list[QuoteItem] = Field(min_length=1, max_length=500)
    date: dt.date | None = Field(default=None, description="tariff date; default today (UTC)")
    sort: Literal["price", "speed"] = "price"
    insured: bool = False

    @model_validator(mode="after")
    def _destination_given(self) -> QuoteCreate:
        if not self.destination and not self.postal_code:
            raise ValueError("give destination (a region code) or postal_code")
        return self


class RegionPublic(BaseModel):
    kode: str
    name: str
    level: str
    path: str = ""


class QuoteOptionPublic(BaseModel):
    courier: str
    service: str
    name: str
    fee: Decimal
    shipping: Decimal
    insurance: Decimal
    surcharge: Decimal
    total: Decimal
    chargeable_weight: Decimal
    parcels: int
    price_per_kg: Decimal
    etd_min: int
    etd_max: int
    breakdown: list[str]
    source: str


class QuotePublic(BaseModel):
    origin: RegionPublic
    destination: RegionPublic
    date: dt.date
    source: str
    notices: list[str]
    data: list[QuoteOptionPublic]
    count: int


class RegionsPublic(BaseModel):
    data: list[RegionPublic]
    count: int


class RateCardImportPublic(BaseModel):
    replaced_from: dict[str, dt.date]  # "JNE REG" → first date of the new tariff
    rows: int


class WarehouseCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1, max_length=200)
    region_kode: str = Field(description="Kemendagri code of the warehouse's regency or district")
    address: str = Field(default="", max_length=500)


class WarehousePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    region_kode: str
    address: str
    active: bool


class WarehousesPublic(BaseModel):
    data: list[WarehousePublic]
    count: int


class AddressCreate(BaseModel):
    """A delivery address; the region may be given as Kemendagri, BPS, or only a postal code."""

    label: str = Field(default="", max_length=100)
    recipient: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    street: str = Field(default="", max_length=500)
    region_kode: str | None = Field(default=None, description="region code in `scheme`")
    scheme: str = "kemendagri"
    postal_code: str = Field(default="", max_length=5)
    is_default: bool = False

    @model_validator(mode="after")
    def _region_given(self) -> AddressCreate:
        if not self.region_kode and not self.postal_code:
            raise ValueError("give region_kode (with its scheme) or postal_code")
        return self


class AddressPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reseller_id: str
    label: str
    recipient: str
    phone: str
    street: str
    region_kode: str
    postal_code: str
    is_default: bool


class AddressesPublic(BaseModel):
    data: list[AddressPublic]
    count: int


class TerritoryCreate(BaseModel):
    region_kode: str = Field(description="Kemendagri code: a province, regency or district")


class TerritoriesPublic(BaseModel):
    reseller_id: str
    data: list[RegionPublic]
    count: int
