"""The reports the hub makes, by name: what each is called and how it is built.

Each builder turns a period (and optional filters) into a :class:`~hub.reports.model.Report`;
:func:`build` is the one entry point (pages, API, CLI, the monthly e-mail and the close all
use it). Sales, goods, customers and orders are here; the money and stock reports in
:mod:`hub.reports.kinds_money`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Optional

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from hub.catalog.models import Product, ResellerGroupMember
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.orders.models import Order, OrderLine
from hub.periods.calendar import Period, today, utc_start, wib_date
from hub.purchasing.costing import stock_valuation
from hub.reports import goods, money
from hub.reports.model import DATE, INT, MONEY, PCT, TEXT, WORD, Column, Report, Section
from hub.reports.sales import (
    Filters,
    SalesRow,
    check_dimension,
    labels,
    order_totals,
    sales_by,
    total,
)
from hub.resellers.models import Reseller
from shared.errors import NotFound

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Params:
    period: Period
    filters: Filters = field(default_factory=Filters)
    by: str = ""

    def as_of(self) -> dt.date:
        """The day "as of" figures are taken: the period's last day, or today while it runs."""
        return min(self.period.last_day, today())


Builder = Callable[[Session, Params], list[Section]]


@dataclass(frozen=True)
class Kind:
    name: str
    title: str  # English message id
    build: Builder
    description: str = ""  # English message id


DIMENSION_WORDS = {
    "month": "Month",
    "day": "Day",
    "reseller": "Reseller",
    "group": "Group",
    "product": "Product",
    "category": "Category",
    "region": "Region",
}
SECTION_WORDS = {
    "month": "Sales by month",
    "day": "Sales by day",
    "reseller": "Sales by reseller",
    "group": "Sales by group",
    "product": "Sales by product",
    "category": "Sales by category",
    "region": "Sales by region",
}
NOBODY = "—"  # no group, no category, no region


def _sales_columns(by: str) -> list[Column]:
    link = {
        "month": "/reports/sales?period={id}&by=reseller",
        "day": "",
    }.get(by, "/reports/orders?period={period}&" + by + "={id}")
    return [
        Column("key", DIMENSION_WORDS[by], TEXT, link),
        Column("orders", "Orders", INT),
        Column("units", "Units", INT),
        Column("revenue", "Revenue", MONEY),
        Column("promotion", "Of which on promotion", MONEY),
        Column("cost", "Cost (moving average)", MONEY),
        Column("margin", "Margin", MONEY),
        Column("margin_pct", "Margin %", PCT),
        Column("uncosted", "Revenue without a cost", MONEY),
        Column("id", "", TEXT, hidden=True),
    ]


def _sales_row(label: str, r: SalesRow, key: Optional[str]) -> list[object]:
    return [
        label,
        r.orders,
        r.units,
        r.revenue,
        r.promotion,
        r.cost,
        r.margin,
        r.margin_pct,
        r.uncosted,
        key,
    ]


def sales_section(session: Session, p: Params, by: str, top: Optional[int] = None) -> Section:
    """Sales by one dimension (the ``top`` biggest by revenue, or all), with the whole
    period's total (for groups and top lists: every sale once)."""
    rows = sales_by(session, p.period, by, p.filters, top=top)
    names = labels(session, by, (r.key for r in rows))
    if top is None and by not in ("month", "day"):  # by name, those without one last
        rows.sort(key=lambda r: (r.key in ("", "0"), names.get(r.key, r.key).casefold()))
    whole = (
        total(rows)
        if by != "group" and top is None
        else total(sales_by(session, p.period, "month", p.filters))
    )
    section = Section(
        SECTION_WORDS[by],
        _sales_columns(by),
        [
            _sales_row(names.get(r.key, r.key) if r.key not in ("", "0") else NOBODY, r, r.key)
            for r in rows
        ],
        _sales_row("Total", whole, None),
    )
    if by == "group":
        section.note = (
            "A reseller in several groups counts in each of them; the total counts it once."
        )
    return section


def _sales(session: Session, p: Params) -> list[Section]:
    by = check_dimension(p.by or ("month" if p.period.kind == "year" else "reseller"))
    t = order_totals(session, p.period, p.filters)
    summary = Section(
        "Orders",
        [
            Column("what", "", WORD),
            Column("orders", "Orders", INT),
            Column("amount", "Amount", MONEY),
        ],
        [
            ["Orders placed (goods)", t.orders, t.goods],
            ["Shipping fees billed", None, t.shipping],
            ["Placed in the period, since cancelled or expired", t.voided, t.voided_goods],
        ],
    )
    return [sales_section(session, p, by), summary]


def _goods(session: Session, p: Params) -> list[Section]:
    sold = {r.key: r for r in sales_by(session, p.period, "product", p.filters)}
    valuation = {v.product_id: v for v in stock_valuation(session).rows}
    claims = goods.claims_filed(session, p.period)
    ids = sorted({int(k) for k in sold} | set(valuation) | set(claims))
    if p.filters.product is not None:
        ids = [i for i in ids if i == p.filters.product]
    info = goods.products(session, ids)
    if p.filters.category is not None:
        ids = [i for i in ids if info.get(i, ("", "", ""))[2] == p.filters.category]
    rows: list[list[Any]] = []
    for pid in sorted(ids, key=lambda i: info.get(i, (str(i), "", ""))[0]):
        sku, name, category = info.get(pid, (str(pid), "", ""))
        r = sold.get(str(pid))
        v = valuation.get(pid)
        rows.append(
            [
                sku,
                name,
                category,
                r.units if r else 0,
                r.revenue if r else ZERO,
                r.margin if r else ZERO,
                r.margin_pct if r else None,
                v.on_hand if v else 0,
                v.value if v else None,
                claims.get(pid, 0),
            ]
        )
    columns = [
        Column("sku", "SKU", TEXT, "/reports/orders?period={period}&product=" + "{id}"),
        Column("name", "Product", TEXT),
        Column("category", "Category", TEXT),
        Column("units", "Units sold", INT),
        Column("revenue", "Revenue", MONEY),
        Column("margin", "Margin", MONEY),
        Column("margin_pct", "Margin %", PCT),
        Column("on_hand", "On hand", INT),
        Column("value", "Stock value", MONEY),
        Column("claims", "Warranty claims", INT),
    ]
    for row, pid in zip(rows, sorted(ids, key=lambda i: info.get(i, (str(i), "", ""))[0])):
        row.append(str(pid))
    columns.append(Column("id", "", TEXT, hidden=True))
    totals = [
        "Total",
        None,
        None,
        sum(r[3] for r in rows),
        sum((r[4] for r in rows), ZERO),
        sum((r[5] for r in rows), ZERO),
        None,
        sum(r[7] for r in rows),
        sum((r[8] for r in rows if r[8] is not None), ZERO),
        sum(r[9] for r in rows),
        None,
    ]
    section = Section("Goods", columns, rows, totals)
    section.note = "Stock on hand and its value are as of when the report was made."
    return [section]


def _customers(session: Session, p: Params) -> list[Section]:
    sold = {r.key: r for r in sales_by(session, p.period, "reseller", p.filters)}
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for pay in money.payments_received(session, p.period, p.filters.reseller):
        paid[pay.reseller_id] += pay.amount
    owed: dict[str, Decimal] = defaultdict(Decimal)
    for rec in money.receivables(session, p.as_of(), p.filters.reseller):
        owed[rec.reseller_id] += rec.outstanding
    last = dict(
        session.execute(
            select(Order.reseller_id, func.max(Order.placed_at))
            .where(Order.placed_at < utc_start(p.period.end))
            .group_by(Order.reseller_id)
        ).all()
    )
    resellers = session.execute(
        select(Reseller.id, Reseller.name, Reseller.region_code).order_by(Reseller.id)
    )
    groups = Counter(r for (r,) in session.execute(select(ResellerGroupMember.reseller_id)))
    rows: list[list[Any]] = []
    for rid, name, region in resellers:
        if p.filters.reseller and rid != p.filters.reseller:
            continue
        r = sold.get(rid)
        if r is None and not paid.get(rid) and not owed.get(rid):
            continue
        rows.append(
            [
                f"{name} ({rid})",
                (region or "")[:2],
                groups.get(rid, 0),
                r.orders if r else 0,
                r.revenue if r else ZERO,
                r.margin if r else ZERO,
                paid.get(rid, ZERO),
                owed.get(rid, ZERO),
                wib_date(last[rid]) if last.get(rid) is not None else None,  # type: ignore[arg-type]
                rid,
            ]
        )
    columns = [
        Column("reseller", "Reseller", TEXT, "/reports/statement?period={period}&reseller={id}"),
        Column("region", "Region", TEXT),
        Column("groups", "Groups", INT),
        Column("orders", "Orders", INT),
        Column("revenue", "Revenue", MONEY),
        Column("margin", "Margin", MONEY),
        Column("paid", "Payments received", MONEY),
        Column("owed", "Outstanding at the end", MONEY),
        Column("last", "Last order", DATE),
        Column("id", "", TEXT, hidden=True),
    ]
    totals = [
        "Total",
        None,
        None,
        sum(r[3] for r in rows),
        *(sum((r[i] for r in rows), ZERO) for i in (4, 5, 6, 7)),
        None,
        None,
    ]
    return [Section("Customers", columns, rows, totals)]


ORDER_STATES = {
    "placed": "placed",
    "awaiting_payment": "awaiting payment",
    "partially_paid": "partially paid",
    "paid": "paid",
    "packed": "packed",
    "shipped": "shipped",
    "delivered": "delivered",
    "completed": "completed",
    "cancelled": "cancelled",
    "expired": "expired",
}


def _orders(session: Session, p: Params) -> list[Section]:
    f, (start, end) = p.filters, p.period.utc_bounds()
    units = (
        select(OrderLine.order_id, func.sum(OrderLine.quantity).label("units"))
        .group_by(OrderLine.order_id)
        .subquery("units")
    )
    stmt = (
        select(
            Order.placed_at,
            Order.id,
            Order.invoice_number,
            Order.reseller_id,
            Order.state,
            units.c.units,
            Order.subtotal,
            Order.shipping_fee,
            Order.unique_code,
        )
        .join(units, units.c.order_id == Order.id)
        .where(Order.placed_at >= start, Order.placed_at < end)
        .order_by(Order.placed_at, Order.id)
    )
    if f.reseller:
        stmt = stmt.where(Order.reseller_id == f.reseller)
    if f.group is not None:
        stmt = stmt.where(
            Order.reseller_id.in_(
                select(ResellerGroupMember.reseller_id).where(
                    ResellerGroupMember.group_id == f.group
                )
            )
        )
    if f.region is not None:
        stmt = stmt.where(
            Order.reseller_id.in_(
                select(Reseller.id).where(
                    func.coalesce(func.substr(Reseller.region_code, 1, 2), "") == f.region
                )
            )
        )
    if f.product is not None or f.category is not None:
        line = select(OrderLine.id).join(Product, Product.id == OrderLine.product_id)
        line = line.where(OrderLine.order_id == Order.id)
        if f.product is not None:
            line = line.where(OrderLine.product_id == f.product)
        if f.category is not None:
            line = line.where(Product.category == f.category)
        stmt = stmt.where(exists(line))
    owed = {r.order_id: r.outstanding for r in money.receivables(session, p.as_of(), f.reseller)}
    rows: list[list[Any]] = []
    for placed, oid, inv, rid, state, n, sub, ship, code in session.execute(stmt):
        amount = (Decimal(sub) + Decimal(ship) + code).quantize(Decimal("0.01"))
        voided = state in ("cancelled", "expired")
        rows.append(
            [
                wib_date(placed),
                str(oid),
                inv or "",
                rid,
                ORDER_STATES.get(state, state),
                int(n or 0),
                Decimal(sub).quantize(Decimal("0.01")),
                Decimal(ship).quantize(Decimal("0.01")),
                amount,
                None if voided else owed.get(oid, ZERO),
            ]
        )
    columns = [
        Column("day", "Placed", DATE),
        Column("order", "Order", TEXT, "/orders/{order}"),
        Column("invoice", "Invoice", TEXT),
        Column("reseller", "Reseller", TEXT),
        Column("state", "State now", WORD),
        Column("units", "Units", INT),
        Column("goods", "Goods", MONEY),
        Column("shipping", "Shipping", MONEY),
        Column("amount", "Invoice amount", MONEY),
        Column("owed", "Owed at the end", MONEY),
    ]
    live = [r for r in rows if r[4] not in ("cancelled", "expired")]
    totals = [
        "Total",
        None,
        None,
        None,
        None,
        sum(r[5] for r in live),
        sum((r[6] for r in live), ZERO),
        sum((r[7] for r in live), ZERO),
        sum((r[8] for r in live), ZERO),
        sum((r[9] for r in live if r[9] is not None), ZERO),
    ]
    section = Section("Orders", columns, rows, totals)
    section.note = "Totals leave out cancelled and expired orders."
    return [section]


def _kinds() -> dict[str, Kind]:
    from hub.reports import kinds_money as m
    from hub.reports.kinds_care import satisfaction

    return {
        k.name: k
        for k in (
            Kind(
                "sales",
                "Sales",
                _sales,
                "Orders, revenue and margin by reseller (a month) or by month (a year).",
            ),
            Kind(
                "payments",
                "Payments received",
                m.payments,
                "Transfers confirmed by finance, by transfer date.",
            ),
            Kind(
                "outstanding",
                "Outstanding invoices",
                m.outstanding,
                "What resellers still owe at the end of the period, by age.",
            ),
            Kind(
                "purchases",
                "Purchases and supplier payments",
                m.purchases,
                "Supplier invoices, payments, credit notes and what is owed.",
            ),
            Kind("stock", "Stock movements", m.stock, "Goods received, reversed and shipped."),
            Kind(
                "statement",
                "Reseller statements",
                m.statement,
                "Opening balance, invoices, payments and closing balance.",
            ),
            Kind(
                "goods",
                "Goods",
                _goods,
                "Per product: sold, margin, on hand, value, warranty claims.",
            ),
            Kind(
                "customers",
                "Customers",
                _customers,
                "Per reseller: orders, revenue, payments, what is owed.",
            ),
            Kind("orders", "Orders", _orders, "Every order placed in the period."),
            Kind(
                "csat",
                "Customer satisfaction",
                satisfaction,
                "CSAT of the resolved tickets, by category and by staff member.",
            ),
        )
    }


KINDS = _kinds()


def kind(name: str) -> Kind:
    found = KINDS.get(name)
    if found is None:
        raise translatable(
            NotFound,  # /reports/{name}: an unknown name is a page that does not exist
            "there is no report {name!r}",
            "reports: {known}",
            name=name[:30],
            known=", ".join(KINDS),
        )
    return found


def build(
    session: Session, name: str, params: Params, *, now: Optional[dt.datetime] = None
) -> Report:
    """Build report ``name`` live from the database."""
    k = kind(name)
    filters = params.filters.as_dict()
    if params.by:
        filters["by"] = params.by
    return Report(
        k.name, k.title, params.period.key, k.build(session, params), now or utcnow(), filters
    )
