"""Mapping profiles as data: for each canonical entity, which dataset and columns feed it.

A profile is plain pydantic data (stored as JSON per reseller), so a new shop
schema needs a new profile, not new code. Dataset and column names are
matched exactly first, then *normalised* (case and punctuation ignored:
``Order Details`` = ``order_details``, ``ProductID`` = ``product_id``), which
lets one Northwind profile serve the PostgreSQL port (snake_case) and the
MySQL/SQLite ports (CamelCase) alike.

``sale_line`` needs the order date, which lives on the order, not the line:
an entity may take extra fields from a second dataset through a ``lookup``
(a key join done by the hub), so agents can keep exporting plain tables.

A field is a column name, or a :class:`FieldMap`: the column plus a few
transforms for what shop schemas differ in — a unit (grams, boxes of 10:
``multiply``), a line total instead of a unit price (``divide_by`` the
quantity column), a price including tax (``tax``, ``tax_rate``), and coded
values (``values``: ``wc-completed`` → ``completed``, ``1`` → ``false``).
Ready-made profiles: Northwind, a WooCommerce shop and an OpenCart shop (both
MySQL, from their published schemas; see :mod:`hub.mapping.shops`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

FieldType = Literal["text", "integer", "decimal", "boolean", "date"]

# entity -> field -> type; the first field is the entity's own key (the reseller's key is kept).
# Prices are before tax (a profile converts a price that includes it); weights in kg; a sale line's
# status is one of SALE_STATUSES (offers count completed and pending sales, never cancelled ones).
ENTITIES: dict[str, dict[str, FieldType]] = {
    "product": {
        "sku": "text",
        "name": "text",
        "unit_price": "decimal",
        "discontinued": "boolean",
        "ean": "text",
        "weight_kg": "decimal",
    },
    "stock_level": {"sku": "text", "on_hand": "integer", "on_order": "integer"},
    "sale_line": {
        "order_id": "text",
        "sku": "text",
        "quantity": "integer",
        "unit_price": "decimal",
        "discount": "decimal",
        "order_date": "date",
        "status": "text",
    },
    "customer": {"customer_id": "text", "name": "text", "city": "text", "country": "text"},
}
SALE_STATUSES = ("completed", "pending", "cancelled", "returned")
NOT_SOLD = ("cancelled", "returned")


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldMap(_Data):
    """A source column and the transforms that make it the entity field, applied in this order:
    ``values`` (a code map), ``divide_by`` (another column of the same row), ``multiply``
    (a unit), ``tax`` (``"included"``: remove ``tax_rate`` % from a price that includes it;
    ``"excluded"``: the price is already before tax, nothing to do)."""

    column: str
    values: dict[str, str] | None = Field(
        default=None, description="source value -> hub value; a value not listed stays as it is"
    )
    divide_by: str | None = Field(default=None, description="e.g. a line total ÷ its quantity")
    multiply: Decimal | None = Field(default=None, description="unit factor: g→kg 0.001, box→10")
    tax: Literal["included", "excluded"] | None = None
    tax_rate: Decimal | None = Field(default=None, ge=0, le=100, description="percent, e.g. 11")

    @field_validator("multiply")
    @classmethod
    def _factor(cls, v: Decimal | None) -> Decimal | None:
        if v is not None and v <= 0:
            raise ValueError("a unit factor must be more than 0")
        return v


Source = Union[str, FieldMap]


def column_of(source: Source) -> str:
    return source if isinstance(source, str) else source.column


class Lookup(_Data):
    """Fields taken from another dataset whose ``key`` column equals this row's ``on`` column."""

    dataset: str
    on: str
    key: str
    fields: dict[str, Source]


class EntityMap(_Data):
    dataset: str
    fields: dict[str, Source] = Field(description="entity field -> source column (or FieldMap)")
    lookup: Lookup | None = None


class Profile(_Data):
    name: str
    description: str = ""
    entities: dict[str, EntityMap]


NORTHWIND = Profile(
    name="northwind",
    description="Northwind-like shops: PostgreSQL (products.product_id, order_details) and "
    "MySQL/SQLite (Products.ProductID, Order Details) ports alike",
    entities={
        "product": EntityMap(
            dataset="Products",
            fields={
                "sku": "ProductID",
                "name": "ProductName",
                "unit_price": "UnitPrice",
                "discontinued": "Discontinued",
            },
        ),
        "stock_level": EntityMap(
            dataset="Products",
            fields={"sku": "ProductID", "on_hand": "UnitsInStock", "on_order": "UnitsOnOrder"},
        ),
        "sale_line": EntityMap(
            dataset="Order Details",
            fields={
                "order_id": "OrderID",
                "sku": "ProductID",
                "quantity": "Quantity",
                "unit_price": "UnitPrice",
                "discount": "Discount",
            },
            lookup=Lookup(
                dataset="Orders", on="OrderID", key="OrderID", fields={"order_date": "OrderDate"}
            ),
        ),
        "customer": EntityMap(
            dataset="Customers",
            fields={
                "customer_id": "CustomerID",
                "name": "CompanyName",
                "city": "City",
                "country": "Country",
            },
        ),
    },
)
