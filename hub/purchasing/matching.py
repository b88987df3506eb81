"""The three-way match, pure: what was ordered (price), what was received (quantity), what
the supplier invoices — each within a tolerance. No database: every rule can be checked
by hand in a test. The problems are sentences for the finance desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Tolerance:
    price_pct: Decimal = Decimal(2)  # invoiced unit price within ±2 % of the ordered price
    quantity_pct: Decimal = Decimal(0)  # invoiced units up to received × (1 + this %)
    amount: Decimal = Decimal(1000)  # the total may differ from lines + tax by this (rounding)


@dataclass(frozen=True)
class OrderedLine:
    """A purchase order line as the match sees it."""

    order_line_id: int
    product_id: int
    unit_cost: Decimal
    received: int
    invoiced_before: int = 0  # units on the supplier's other open or settled invoices


@dataclass(frozen=True)
class InvoicedLine:
    order_line_id: int
    quantity: int
    unit_price: Decimal


def match(
    lines: Iterable[InvoicedLine],
    ordered: Mapping[int, OrderedLine],
    tax: Decimal,
    total: Decimal,
    tol: Tolerance = Tolerance(),
) -> list[str]:
    """Every way the invoice disagrees with order and receipts; empty when it matches."""
    problems: list[str] = []
    subtotal = Decimal(0)
    per_line: dict[int, int] = {}
    for ln in lines:
        per_line[ln.order_line_id] = per_line.get(ln.order_line_id, 0) + ln.quantity
        subtotal += ln.unit_price * ln.quantity
        o = ordered[ln.order_line_id]
        allowed = o.unit_cost * tol.price_pct / HUNDRED
        if abs(ln.unit_price - o.unit_cost) > allowed:
            problems.append(
                f"product #{o.product_id}: invoiced at {ln.unit_price}, ordered at {o.unit_cost} "
                f"(tolerance {tol.price_pct} %)"
            )
    for line_id, qty in sorted(per_line.items()):
        o = ordered[line_id]
        limit = Decimal(o.received) * (1 + tol.quantity_pct / HUNDRED)
        if o.invoiced_before + qty > limit:
            earlier = f" (+{o.invoiced_before} on earlier invoices)" if o.invoiced_before else ""
            problems.append(
                f"product #{o.product_id}: {qty} invoiced{earlier}, {o.received} received"
            )
    expected = subtotal + tax
    if abs(expected - total) > tol.amount:
        problems.append(f"total {total} is not lines {subtotal} + tax {tax} = {expected}")
    return problems
