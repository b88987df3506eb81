"""Product search: words in SKU, EAN, name, brand or category (all must match), plus filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product


def _filtered(q: str, category: str | None, brand: str | None, active: bool | None) -> Select[Any]:
    stmt = select(Product)
    for word in q.split():
        like = f"%{word.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Product.sku).like(like),
                func.lower(Product.name).like(like),
                func.lower(Product.brand).like(like),
                func.lower(Product.category).like(like),
                Product.ean == word,
            )
        )
    if category:
        stmt = stmt.where(Product.category == category)
    if brand:
        stmt = stmt.where(Product.brand == brand)
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    return stmt


def search_products(
    session: Session,
    q: str = "",
    *,
    category: str | None = None,
    brand: str | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Product], int]:
    """(a page of products in SKU order, number of matches)."""
    stmt = _filtered(q, category, brand, active)
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Product.sku).limit(limit).offset(offset))
    return list(rows), int(count)
