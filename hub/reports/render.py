"""How a report's cells read in one language: the same text on the page and in the PDF.

Money shows its cents (``2.050.001,00`` in Indonesian, ``2,050,001.00`` in English): a
report must not round away what the workbook holds exactly.
"""

from __future__ import annotations

from typing import Any

from hub.core.i18n import DISPLAY_TZ, Formatter
from hub.periods.calendar import Period
from hub.reports.model import DATE, INT, MONEY, PCT, WORD, Column, Report, Section

EMPTY = "—"


def cell(fmt: Formatter, column: Column, value: Any, *, total: bool = False) -> str:
    if value is None:
        return "" if total else EMPTY
    if total and isinstance(value, str):  # "Total", "Closing balance": words
        return fmt.gettext(value)
    if column.kind == MONEY:
        return fmt.number(value, 2)
    if column.kind == INT:
        return fmt.number(value, 0)
    if column.kind == PCT:
        return f"{fmt.number(value, 1)} %"
    if column.kind == DATE:
        return fmt.date(value)
    if column.kind == WORD:
        return fmt.gettext(value) if value else ""
    return str(value)


def heading(fmt: Formatter, report: Report) -> tuple[str, str]:
    """(title with the period, the line under it: when made, frozen or live, filters)."""
    title = f"{fmt.gettext(report.title)} — {Period.parse(report.period).label(fmt.lang)}"
    made = report.built_at.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M WIB")
    if report.frozen:
        line = fmt.gettext(
            "Closed period: figures frozen at the close of {made} (version {v})",
            made=made,
            v=report.frozen,
        )
    else:
        line = fmt.gettext("Made {made} from the live data", made=made)
    shown = {k: v for k, v in report.filters.items() if k != "by"}
    if shown:
        line += " · " + ", ".join(
            f"{fmt.gettext(k.capitalize())}: {v}" for k, v in sorted(shown.items())
        )
    return title, line


def note(fmt: Formatter, section: Section) -> str:
    return fmt.gettext(section.note, **section.note_values) if section.note else ""


def cut_note(fmt: Formatter, shown: int, more: int) -> str:
    """Said under a table that does not show every row."""
    if not more:
        return ""
    return fmt.gettext(
        "Only the first {shown} rows are shown here; {more} more are in the XLSX download.",
        shown=fmt.number(shown, 0),
        more=fmt.number(more, 0),
    )
