"""The customer satisfaction report: CSAT = satisfied ÷ responses × 100 of the survey answers
given in the period (hub.care.csat), by category and by staff member, with the whole as the
totals row. Percentages are rounded half-up to one decimal place, as every report's."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy.orm import Session

from hub.care.csat import CsatRow, csat
from hub.reports.model import INT, PCT, TEXT, WORD, Column, Section

if TYPE_CHECKING:
    from hub.reports.kinds import Params

TENTH = Decimal("0.1")


def pct(value: Optional[Decimal]) -> Optional[Decimal]:
    return None if value is None else value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _section(title: str, label: str, kind: str, rows: list[CsatRow], total: CsatRow) -> Section:
    columns = [
        Column("label", label, kind),
        Column("satisfied", "Satisfied", INT),
        Column("responses", "Responses", INT),
        Column("csat", "CSAT %", PCT),
    ]
    section = Section(
        title,
        columns,
        [[r.label, r.satisfied, r.responses, pct(r.csat)] for r in rows],
        ["Total", total.satisfied, total.responses, pct(total.csat)],
    )
    section.note = "CSAT = satisfied ÷ responses × 100, of the answers given in the period."
    return section


def satisfaction(session: Session, params: Params) -> list[Section]:
    """Both sections of the report's period (its filters do not apply: tickets are not sales)."""
    c = csat(session, params.period)
    return [
        _section("Satisfaction by category", "Category", WORD, c.by_category, c.total),
        _section("Satisfaction by staff member", "Staff member", TEXT, c.by_staff, c.total),
    ]
