"""The director's dashboard: the month at a glance, each figure a link to its rows.

Sales (orders, revenue, margin) for the month against the month before and a twelve-month
trend; the top resellers, groups, products, categories and regions; receivables and
payables by age; stock value, low and idle stock; warranty claim rates by product and
supplier; sync health; offer conversion. Everything is aggregated in SQL (a handful of
GROUP BY queries, see bench/bench_dashboard.py) and always live — a closed month's frozen
reports are on the reports pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy.orm import Session

from hub.offers.workflow import conversion
from hub.periods.calendar import Period, add_months, today
from hub.purchasing.costing import stock_valuation
from hub.purchasing.payables import BUCKETS
from hub.purchasing.payables import ageing as payables_ageing
from hub.reports import goods, money
from hub.reports.sales import DIMENSIONS, SalesRow, labels, order_totals, sales_by, total
from hub.web.health import board

TOP = 8
BREAKDOWNS = ("reseller", "group", "product", "category", "region")


@dataclass(frozen=True)
class Ranked:
    key: str
    label: str
    row: SalesRow


@dataclass
class Dashboard:
    period: Period
    as_of: dt.date
    sales: SalesRow
    previous: SalesRow
    shipping: Decimal
    voided: int
    trend: list[tuple[str, SalesRow]]
    top: dict[str, list[Ranked]]
    receivables: dict[str, Decimal]
    overdue: list[tuple[str, Decimal]]  # resellers most overdue (over 30 days)
    payables: dict[str, Decimal]
    stock_value: Decimal
    uncosted_stock: int
    low_stock: list[goods.LowRow]
    idle: list[goods.Idle]
    warranty_products: list[goods.Rate]
    warranty_suppliers: list[goods.Rate]
    names: dict[str, dict[Any, str]]  # product and supplier names for the lists above
    sync: dict[str, int]
    offers: dict[str, Any]

    def change(self, field: str) -> Optional[Decimal]:
        """This period against the previous one, in percent (None without a base)."""
        now, before = getattr(self.sales, field), getattr(self.previous, field)
        if not before:
            return None
        return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.1"))


def _trend(session: Session, period: Period) -> list[tuple[str, SalesRow]]:
    start = add_months(period.start, -11)
    rows = {r.key: r for r in sales_by(session, Period(start, "year"), "month")}
    months = [add_months(start, n) for n in range(12)]
    empty = SalesRow("", 0, 0, *(Decimal("0.00"),) * 4)
    return [(f"{m:%Y-%m}", rows.get(f"{m:%Y-%m}", empty)) for m in months]


def _top(session: Session, period: Period) -> dict[str, list[Ranked]]:
    out = {}
    for by in BREAKDOWNS:
        rows = sales_by(session, period, by, top=TOP)
        names = labels(session, by, (r.key for r in rows))
        out[by] = [
            Ranked(r.key, names.get(r.key, r.key) if r.key not in ("", "0") else "—", r)
            for r in rows
        ]
    return out


def build(session: Session, period: Period, *, now: Optional[dt.datetime] = None) -> Dashboard:
    as_of = min(period.last_day, today(now))
    trend = _trend(session, period)  # one query: twelve months, up to the period's first
    if period.kind == "month":  # the month and the one before are the trend's last two
        this, before = trend[-1][1], trend[-2][1]
    else:
        this = total(sales_by(session, period, "month"))
        before = total(sales_by(session, period.previous(), "month"))
    orders = order_totals(session, period)
    rec = money.ageing(session, as_of)
    overdue = sorted(
        (
            (
                rid,
                sum(
                    (v for b, v in buckets.items() if b not in ("current", "days_1_30")), Decimal(0)
                ),
            )
            for rid, buckets in rec.rows.items()
        ),
        key=lambda kv: -kv[1],
    )
    pay = {b: Decimal("0.00") for b in BUCKETS}
    for line in payables_ageing(session, as_of):
        for b in BUCKETS:
            pay[b] += line.amounts[b]
    valuation = stock_valuation(session)
    low = goods.low(session)
    idle = goods.ageing_stock(session, as_of)
    since = add_months(period.start, -11)
    rates_p = goods.warranty_rates(session, since, period.end, "product")[:TOP]
    rates_s = goods.warranty_rates(session, since, period.end, "supplier")[:TOP]
    product_ids = (
        {r.key for r in rates_p}
        | {i.product_id for i in idle[:TOP]}
        | {row.product_id for row in low[:TOP]}
    )
    info = goods.products(session, sorted(product_ids))
    health = board(session)
    conv = conversion(session)
    published = sum(int(c["published"]) for c in conv)
    accepted = sum(int(c["accepted"]) for c in conv)
    by_kind: dict[str, list[int]] = {}
    for c in conv:
        k = by_kind.setdefault(str(c["kind"]), [0, 0])
        k[0] += int(c["published"])
        k[1] += int(c["accepted"])
    return Dashboard(
        period=period,
        as_of=as_of,
        sales=this,
        previous=before,
        shipping=orders.shipping,
        voided=orders.voided,
        trend=trend,
        top=_top(session, period),
        receivables=rec.totals(),
        overdue=[(rid, v) for rid, v in overdue if v > 0][:TOP],
        payables=pay,
        stock_value=valuation.total,
        uncosted_stock=len(valuation.uncosted),
        low_stock=low,
        idle=idle,
        warranty_products=rates_p,
        warranty_suppliers=rates_s,
        names={
            "product": {pid: f"{sku} {name}" for pid, (sku, name, _) in info.items()},
            "supplier": goods.supplier_names(session),
        },
        sync={
            "resellers": len(health),
            "missed": sum(1 for r in health if r.missed),
            "quarantined": sum(r.quarantined for r in health),
            "gaps": sum(1 for r in health if r.missing_sequences),
            "pending": sum(r.pending for r in health),
        },
        offers={
            "published": published,
            "accepted": accepted,
            "rate": (Decimal(accepted) * 100 / published).quantize(Decimal("0.1"))
            if published
            else None,
            "by_kind": by_kind,
        },
    )


__all__ = ["BREAKDOWNS", "DIMENSIONS", "Dashboard", "build"]
