"""The shipping calculator page: origin warehouse, destination found by name or postal code,
items → every courier service with fee, chargeable weight (and how it was computed) and ETD.

The quote is :func:`hub.shipping.service.quote_shipment` (the same as the API's); the region
picker asks :func:`hub.shipping.regions.search` through an htmx fragment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hub.core import nav
from hub.core.deps import SessionDep, require
from hub.core.errors import describe, status_of
from hub.core.i18n import parse_decimal
from hub.core.roles import EVERYONE
from hub.core.templating import language, render
from hub.shipping.models import LEVELS
from hub.shipping.regions import search
from hub.shipping.rules import Item
from hub.shipping.service import list_warehouses, quote_shipment
from shared.errors import DataError, SyncHubError

router = APIRouter(include_in_schema=False)
ITEM_ROWS = 3
FIELDS = ("weight", "length", "width", "height", "quantity", "value")

nav.register(nav.NavItem("Shipping calculator", "/shipping/calculator", EVERYONE, order=60))


def _number(raw: str, what: str, lang: str) -> Decimal:
    if not raw.strip():
        return Decimal(0)
    try:
        return parse_decimal(raw, lang)
    except DataError:
        raise DataError(
            "{what} {value} is not a number",
            hint="weights in kg, dimensions in cm, value in IDR",
            what=what,
            value=repr(raw),
        ) from None


def parse_items(rows: list[dict[str, str]], lang: str = "en") -> list[Item]:
    """Rows of the form → items; rows left empty are skipped, a bad number names its row and field."""
    items = []
    for n, row in enumerate(rows, 1):
        if not any(row[f].strip() for f in ("weight", "length", "width", "height", "value")):
            continue
        qty = row["quantity"].strip() or "1"
        if not qty.isdigit() or not 1 <= int(qty) <= 10_000:
            raise DataError(
                "item {n}: quantity {value} must be a whole number from 1 to 10000",
                n=n,
                value=repr(qty),
            )
        weight, length, width, height = (
            _number(row[f], f"item {n}: {f}", lang) for f in ("weight", "length", "width", "height")
        )
        item = Item(
            weight,
            length,
            width,
            height,
            quantity=int(qty),
            value=_number(row["value"], f"item {n}: value", lang),
        )
        item.check(f"item {n}")
        items.append(item)
    if not items:
        raise DataError("no item to ship", hint="fill in at least the weight of one item")
    return items


@router.get("/shipping/calculator", dependencies=[require()])
def calculator(
    request: Request,
    session: SessionDep,
    origin: str = Query("", max_length=32),
    destination: str = Query("", max_length=20),
    destination_name: str = Query("", max_length=300),
    postal_code: str = Query("", max_length=10),
    sort: str = Query("price", pattern="^(price|speed)$"),
    weight: list[str] = Query([]),
    length: list[str] = Query([]),
    width: list[str] = Query([]),
    height: list[str] = Query([]),
    quantity: list[str] = Query([]),
    value: list[str] = Query([]),
) -> Response:
    """The form, and once submitted every option sorted by price or speed."""
    columns = {
        "weight": weight,
        "length": length,
        "width": width,
        "height": height,
        "quantity": quantity,
        "value": value,
    }
    count = max(ITEM_ROWS, *(len(c) for c in columns.values()))
    rows = [
        {f: (columns[f][i] if i < len(columns[f]) else "")[:20] for f in FIELDS}
        for i in range(min(count, 50))
    ]
    f = {
        "origin": origin,
        "destination": destination,
        "destination_name": destination_name,
        "postal_code": postal_code,
        "sort": sort,
    }
    ctx: dict[str, Any] = {
        "f": f,
        "rows": rows,
        "warehouses": [w for w in list_warehouses(session) if w.active],
        "result": None,
        "error": "",
    }
    status = 200
    if origin or destination or postal_code:
        try:
            if not origin:
                raise DataError("pick the warehouse the parcels leave from")
            if not destination and not postal_code:
                raise DataError(
                    "pick a destination region or type its postal code",
                    hint="search the region by name or postal code",
                )
            ctx["result"] = quote_shipment(
                session,
                origin=origin,
                items=parse_items(rows, language(request)),
                destination=destination or None,
                postal_code=postal_code or None,
                sort=sort,
            )
        except SyncHubError as exc:
            ctx["error"], status = describe(request, exc), status_of(exc)
    session.rollback()  # a quote only reads
    return render(request, "shipping_calculator.html", ctx, status_code=status)


@router.get("/shipping/calculator/regions", dependencies=[require()])
def regions(request: Request, session: SessionDep, q: str = Query("", max_length=100)) -> Response:
    """The region picker (htmx fragment): regencies, districts and villages by name or postal code."""
    q = q.strip()
    hits = []
    if len(q) >= 3:
        hits = (
            search(session, postal_code=q, limit=20)
            if q.isdigit()
            else search(session, q, limit=20)
        )
    found = [(r, path, LEVELS[r.level]) for r, path in hits if LEVELS[r.level] != "province"]
    session.rollback()
    return render(request, "_shipping_regions.html", {"hits": found, "q": q})
