"""Sales by period, reseller, group, product, category and region — aggregated in SQL.

A sale is an order line of an order *placed* in the period that is not voided (cancelled
or expired); drafts are not placed. Revenue is goods only (quantity × the unit price frozen
at placement; shipping fees are reported apart); promotion revenue is the part sold at a
promotion's price. Cost is quantity × the product's moving average cost
(:func:`hub.purchasing.costing.cost_table`), rounded to the cent per line; a product never
received at a cost has no cost, and its revenue is shown as *uncosted* instead of pretending
a 100 % margin. Margin = costed revenue − cost.

One GROUP BY query per breakdown: the dashboard over a million order lines stays a handful
of aggregate queries (bench/bench_dashboard.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Optional

from sqlalchemy import Select, case, distinct, func, literal, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product, ResellerGroup, ResellerGroupMember
from hub.core.db import table_of
from hub.core.i18n import translatable
from hub.orders.models import Order, OrderLine
from hub.periods.calendar import Period
from hub.purchasing.costing import cost_table
from hub.reports.sql import bucket, cents, money, msum
from hub.resellers.models import Reseller
from hub.shipping.models import Region
from shared.errors import DataError

VOID = ("cancelled", "expired", "draft")
DIMENSIONS = ("month", "day", "reseller", "group", "product", "category", "region")
_O, _L, _P, _R = table_of(Order), table_of(OrderLine), table_of(Product), table_of(Reseller)
_M = table_of(ResellerGroupMember)
PROMOTION = "promotion %"  # how a line priced by a promotion starts its price rule


@dataclass(frozen=True)
class Filters:
    """Narrow sales to one reseller, group, product, category or region (province code)."""

    reseller: Optional[str] = None
    group: Optional[int] = None
    product: Optional[int] = None
    category: Optional[str] = None
    region: Optional[str] = None

    @property
    def by_goods(self) -> bool:
        return self.product is not None or self.category is not None

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass(frozen=True)
class SalesRow:
    key: str
    orders: int
    units: int
    revenue: Decimal
    promotion: Decimal
    cost: Decimal
    uncosted: Decimal  # revenue of lines whose product has no cost yet

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.uncosted - self.cost

    @property
    def margin_pct(self) -> Optional[Decimal]:
        costed = self.revenue - self.uncosted
        if costed <= 0:
            return None
        return (self.margin * 100 / costed).quantize(Decimal("0.1"))


def check_dimension(by: str) -> str:
    if by not in DIMENSIONS:
        raise translatable(
            DataError,
            "cannot break sales down by {by!r}",
            "choose one of: {known}",
            by=by[:20],
            known=", ".join(DIMENSIONS),
        )
    return by


def _key(session: Session, by: str) -> Any:
    return {
        "month": bucket(session, _O.c.placed_at, "month"),
        "day": bucket(session, _O.c.placed_at, "day"),
        "reseller": _O.c.reseller_id,
        "group": func.coalesce(_M.c.group_id, 0),
        "product": _L.c.product_id,
        "category": _P.c.category,
        "region": func.coalesce(func.substr(_R.c.region_code, 1, 2), ""),
    }[by]


def _scoped(stmt: Select[Any], period: Period, f: Filters, joins: set[str]) -> Select[Any]:
    start, end = period.utc_bounds()
    stmt = stmt.where(_O.c.placed_at >= start, _O.c.placed_at < end, _O.c.state.not_in(VOID))
    if f.reseller:
        stmt = stmt.where(_O.c.reseller_id == f.reseller)
    if f.group is not None and "group" not in joins:
        members = select(_M.c.reseller_id).where(_M.c.group_id == f.group)
        stmt = stmt.where(_O.c.reseller_id.in_(members))
    elif f.group is not None:
        stmt = stmt.where(_M.c.group_id == f.group)
    if f.product is not None:
        stmt = stmt.where(_L.c.product_id == f.product)
    if f.category is not None:
        stmt = stmt.where(_P.c.category == f.category)
    if f.region is not None:
        stmt = stmt.where(func.coalesce(func.substr(_R.c.region_code, 1, 2), "") == f.region)
    return stmt


def _joins(by: str, f: Filters) -> set[str]:
    joins = set()
    if by == "category" or f.category is not None:
        joins.add("product")
    if by == "region" or f.region is not None:
        joins.add("reseller")
    if by == "group":
        joins.add("group")
    return joins


def sales_by(
    session: Session,
    period: Period,
    by: str,
    filters: Filters = Filters(),
    *,
    top: Optional[int] = None,
) -> list[SalesRow]:
    """Sales in ``period`` broken down ``by`` one dimension; biggest revenue first with ``top``,
    else in key order. A reseller in two groups counts in both groups' rows."""
    check_dimension(by)
    costs = cost_table()
    key = _key(session, by).label("key")
    line = _L.c.quantity * _L.c.unit_price
    line_cost = cents(session, _L.c.quantity * costs.c.average_cost)
    revenue = msum(session, line).label("revenue")
    stmt = select(
        key,
        func.count(distinct(_O.c.id)),
        func.coalesce(func.sum(_L.c.quantity), 0),
        revenue,
        msum(session, case((_L.c.price_rule.like(PROMOTION), line), else_=literal(0))),
        msum(session, case((costs.c.average_cost.is_not(None), line_cost), else_=literal(0))),
        msum(session, case((costs.c.average_cost.is_(None), line), else_=literal(0))),
    )
    joins = _joins(by, filters)
    source = _L.join(_O, _O.c.id == _L.c.order_id).outerjoin(
        costs, costs.c.product_id == _L.c.product_id
    )
    if "product" in joins:
        source = source.join(_P, _P.c.id == _L.c.product_id)
    if "reseller" in joins:
        source = source.join(_R, _R.c.id == _O.c.reseller_id)
    if "group" in joins:
        source = source.outerjoin(_M, _M.c.reseller_id == _O.c.reseller_id)
    stmt = _scoped(stmt.select_from(source), period, filters, joins).group_by(key)
    stmt = stmt.order_by(revenue.desc(), key).limit(top) if top else stmt.order_by(key)
    return [
        SalesRow(
            str(k),
            int(n),
            int(u),
            money(session, r),
            money(session, p),
            money(session, c),
            money(session, x),
        )
        for k, n, u, r, p, c, x in session.execute(stmt)
    ]


def total(rows: Iterable[SalesRow]) -> SalesRow:
    """The sum of rows that do not overlap (not for the group breakdown)."""
    out = SalesRow("", 0, 0, *(Decimal("0.00"),) * 4)
    for r in rows:
        out = SalesRow(
            "",
            out.orders + r.orders,
            out.units + r.units,
            out.revenue + r.revenue,
            out.promotion + r.promotion,
            out.cost + r.cost,
            out.uncosted + r.uncosted,
        )
    return out


@dataclass(frozen=True)
class OrderTotals:
    """Order-level figures of a period: what the line breakdowns do not show."""

    orders: int
    goods: Decimal
    shipping: Decimal
    voided: int  # placed in the period, since cancelled or expired
    voided_goods: Decimal


def order_totals(session: Session, period: Period, filters: Filters = Filters()) -> OrderTotals:
    start, end = period.utc_bounds()
    voided = _O.c.state.in_(("cancelled", "expired"))
    stmt = select(
        func.count(case((~voided, _O.c.id))),
        msum(session, case((~voided, _O.c.subtotal), else_=literal(0))),
        msum(session, case((~voided, _O.c.shipping_fee), else_=literal(0))),
        func.count(case((voided, _O.c.id))),
        msum(session, case((voided, _O.c.subtotal), else_=literal(0))),
    ).where(_O.c.placed_at >= start, _O.c.placed_at < end)
    if filters.reseller:
        stmt = stmt.where(_O.c.reseller_id == filters.reseller)
    if filters.group is not None:
        stmt = stmt.where(
            _O.c.reseller_id.in_(select(_M.c.reseller_id).where(_M.c.group_id == filters.group))
        )
    if filters.region is not None:
        stmt = stmt.where(
            _O.c.reseller_id.in_(
                select(_R.c.id).where(
                    func.coalesce(func.substr(_R.c.region_code, 1, 2), "") == filters.region
                )
            )
        )
    n, goods, shipping, vn, vgoods = session.execute(stmt).one()
    return OrderTotals(
        int(n or 0),
        money(session, goods),
        money(session, shipping),
        int(vn or 0),
        money(session, vgoods),
    )


def labels(session: Session, by: str, keys: Iterable[str]) -> dict[str, str]:
    """What to call each key of a breakdown (reseller and product names, group and region
    names); keys without a name keep the key. Empty keys are named by the caller."""
    wanted = [k for k in set(keys) if k not in ("", "0")]
    if not wanted or by in ("month", "day", "category"):
        return {k: k for k in wanted}
    if by == "reseller":
        names = session.execute(select(Reseller.id, Reseller.name).where(Reseller.id.in_(wanted)))
        return {str(k): f"{n} ({k})" for k, n in names}
    if by == "product":
        ids = [int(k) for k in wanted]
        found = session.execute(
            select(Product.id, Product.sku, Product.name).where(Product.id.in_(ids))
        )
        return {str(i): f"{s} {n}" for i, s, n in found}
    if by == "group":
        ids = [int(k) for k in wanted]
        rows = session.execute(
            select(ResellerGroup.id, ResellerGroup.name).where(ResellerGroup.id.in_(ids))
        )
        return {str(i): n for i, n in rows}
    rows = session.execute(select(Region.kode, Region.name).where(Region.kode.in_(wanted)))
    named = {str(k): n.title() for k, n in rows}
    return {k: named.get(k, k) for k in wanted}
