"""A report as data: titled sections of typed columns and rows, the same for page, PDF and XLSX.

Built once from the database (or read back frozen from a closed month), rendered many
times in any language: labels are English message ids, values are typed (``Decimal`` money,
``int`` counts, ``date``), so the page, the PDF and the workbook show the same numbers.
:meth:`Report.to_json` / :meth:`Report.from_json` keep every value exact (money as text).
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional
from urllib.parse import quote

# Column kinds: how a value is stored and shown. WORD: an English message id, translated.
TEXT, WORD, INT, MONEY, PCT, DATE = "text", "word", "int", "money", "pct", "date"
KINDS = (TEXT, WORD, INT, MONEY, PCT, DATE)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English message id
    kind: str = TEXT
    link: str = ""  # drill-down URL, filled from the row's cells and the period: ?reseller={id}
    hidden: bool = False  # carried for links (a raw key), not shown


@dataclass
class Section:
    title: str  # English message id
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: Optional[list[Any]] = None  # the totals row (None where a column has no total)
    note: str = ""  # English message id shown under the table (with ``note_values``)
    note_values: dict[str, Any] = field(default_factory=dict)
    cut: int = 0  # rows left out of this section (a page or PDF limit): said, never silent

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    @property
    def shown(self) -> list[int]:
        """Indexes of the columns a reader sees."""
        return [i for i, c in enumerate(self.columns) if not c.hidden]

    def link(self, row: list[Any], column: int, period: str) -> str:
        """The drill-down URL of a cell, or "" (no link, or a row without the values it needs)."""
        template = self.columns[column].link
        if not template:
            return ""
        cells = {c.key: v for c, v in zip(self.columns, row)}
        if any(cells.get(k) in (None, "") for k in _fields(template) if k != "period"):
            return ""
        return template.format(period=period, **{k: quote(str(v)) for k, v in cells.items()})

    def values(self, key: str) -> list[Any]:
        i = self.column(key)
        return [r[i] for r in self.rows]


@dataclass
class Report:
    kind: str
    title: str  # English message id
    period: str  # ``2026-01`` or ``2026``
    sections: list[Section]
    built_at: dt.datetime
    filters: dict[str, str] = field(default_factory=dict)
    frozen: int = 0  # the close version it was frozen at (0: built live)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (msgid, values)

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "period": self.period,
            "built_at": self.built_at.isoformat(),
            "filters": self.filters,
            "frozen": self.frozen,
            "notes": [[m, _dump_values(v)] for m, v in self.notes],
            "sections": [
                {
                    "title": s.title,
                    "columns": [[c.key, c.label, c.kind, c.link, c.hidden] for c in s.columns],
                    "rows": [[_dump(c.kind, v) for c, v in zip(s.columns, r)] for r in s.rows],
                    "total": None
                    if s.total is None
                    else [_dump(c.kind, v) for c, v in zip(s.columns, s.total)],
                    "note": s.note,
                    "note_values": _dump_values(s.note_values),
                    "cut": s.cut,
                }
                for s in self.sections
            ],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Report:
        sections = []
        for s in doc["sections"]:
            columns = [Column(*c) for c in s["columns"]]
            sections.append(
                Section(
                    s["title"],
                    columns,
                    [[_load(c.kind, v) for c, v in zip(columns, r)] for r in s["rows"]],
                    None
                    if s["total"] is None
                    else [_load(c.kind, v) for c, v in zip(columns, s["total"])],
                    s.get("note", ""),
                    s.get("note_values", {}),
                    s.get("cut", 0),
                )
            )
        return cls(
            doc["kind"],
            doc["title"],
            doc["period"],
            sections,
            dt.datetime.fromisoformat(doc["built_at"]),
            dict(doc.get("filters", {})),
            int(doc.get("frozen", 0)),
            [(m, v) for m, v in doc.get("notes", [])],
        )


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _dump(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str) and kind not in (TEXT, WORD):
        return [WORD, value]  # a word in a number column: "Total", "Closing balance"
    if kind in (MONEY, PCT):
        return format(Decimal(value), "f")
    if kind == DATE:
        return value.isoformat()
    return value


def _load(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return value[1]
    if kind in (MONEY, PCT):
        return Decimal(value)
    if kind == DATE:
        return dt.date.fromisoformat(value)
    return value


def _dump_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in values.items()}
