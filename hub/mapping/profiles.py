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
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FieldType = Literal["text", "integer", "decimal", "boolean", "date"]

# entity -> field -> type; the first field is the entity's own key (the reseller's key is kept)
ENTITIES: dict[str, dict[str, FieldType]] = {
    "product": {"sku": "text", "name": "text", "unit_price": "decimal", "discontinued": "boolean"},
    "stock_level": {"sku": "text", "on_hand": "integer", "on_order": "integer"},
    "sale_line": {
        "order_id": "text",
        "sku": "text",
        "quantity": "integer",
        "unit_price": "decimal",
        "discount": "decimal",
        "order_date": "date",
    },
    "customer": {"customer_id": "text", "name": "text", "city": "text", "country": "text"},
}


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Lookup(_Data):
    """Fields taken from another dataset whose ``key`` column equals this row's ``on`` column."""

    dataset: str
    on: str
    key: str
    fields: dict[str, str]


class EntityMap(_Data):
    dataset: str
    fields: dict[str, str] = Field(description="entity field -> source column")
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

PROFILES: dict[str, Profile] = {p.name: p for p in (NORTHWIND,)}
