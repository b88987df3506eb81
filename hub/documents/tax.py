"""PPN (Indonesian VAT) on a document: the tax base (DPP) and the tax, from prices that include it.

The hub's price lists are what a reseller pays (PPN included, as B2B price lists in Indonesia
are usually quoted), so the invoice splits each amount into DPP + PPN and the total never
changes with the tax layout: ``dpp + ppn == amount`` holds to the cent for every line, and the
document's totals are sums of its lines. A seller not registered for PPN (not a PKP) prints
no tax at all: ``rate`` 0 gives ``(amount, 0)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class TaxSplit:
    amount: Decimal  # what the buyer pays for the line, PPN included
    dpp: Decimal  # dasar pengenaan pajak: the tax base
    ppn: Decimal  # the tax


def split(amount: Decimal, rate: Decimal) -> TaxSplit:
    """``amount`` (PPN included) into DPP and PPN at ``rate`` percent; DPP rounded to the cent."""
    amount = Decimal(amount).quantize(CENT)
    if rate < 0:
        raise ValueError(f"a PPN rate cannot be negative (got {rate})")
    if rate == 0:
        return TaxSplit(amount, amount, Decimal("0.00"))
    dpp = (amount * 100 / (100 + Decimal(rate))).quantize(CENT, rounding=ROUND_HALF_UP)
    return TaxSplit(amount, dpp, amount - dpp)


def total(splits: list[TaxSplit]) -> TaxSplit:
    """The document's totals: the sums of its lines (never a second rounding)."""
    zero = Decimal("0.00")
    return TaxSplit(
        sum((s.amount for s in splits), zero),
        sum((s.dpp for s in splits), zero),
        sum((s.ppn for s in splits), zero),
    )
