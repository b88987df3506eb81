"""Catalog import and export (CSV, XLSX): preview first, then apply all-or-nothing.

``preview`` reads the whole file and reports, per row, what would be created
or updated and every problem (row number as a spreadsheet shows it, column,
message). ``apply`` refuses a file with any problem, so the catalog never
holds half an import; rows are matched to products by SKU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.errors import ImportRefused
from hub.catalog.models import Product
from hub.catalog.rows import COLUMNS, REQUIRED, format_row, parse_row
from hub.core.roles import Principal
from hub.core.sheets import read_table, write_table
from shared.errors import DataError

MAX_UPLOAD = 20 * 1024 * 1024  # a catalog file (CSV or XLSX)
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the other fields of an upload form


@dataclass(frozen=True)
class RowError:
    row: int  # 1 = header line, so the first product is row 2 (as a spreadsheet shows it)
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # SKUs
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(
    name: str, data: bytes | None = None
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Parsed rows (row number, fields) and per-row errors of a catalog file (``data`` or the file ``name``)."""
    header, rows = read_table(data if data is not None else Path(name).read_bytes(), name)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError(
            "{name}: the header lacks column(s) {missing}",
            hint="the first row must name the columns; known columns: {known}",
            name=name,
            missing=", ".join(missing),
            known=", ".join(COLUMNS),
        )
    unknown = [h for h in header if h and h not in COLUMNS]
    errors = [
        RowError(1, h, "unknown column: rename it to a known one or remove it") for h in unknown
    ]
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for n, cells in rows:
        fields, problems = parse_row(cells)
        errors += [RowError(n, c, m) for c, m in problems]
        sku = fields.get("sku")
        if sku and sku in seen:
            problems.append(("sku", f"{sku!r} already appears on row {seen[sku]}"))
            errors.append(RowError(n, *problems[-1]))
        elif sku:
            seen[sku] = n
        if not problems:
            parsed.append((n, fields))
    return parsed, errors


def _changes(p: Product, fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if getattr(p, k) != v}


def import_catalog(
    session: Session,
    name: str,
    data: bytes | None = None,
    *,
    preview: bool = False,
    principal: Principal | None = None,
) -> ImportReport:
    """Preview (nothing written) or apply a catalog file; apply raises ``ImportRefused`` on any row error.

    An applied import is audited (``catalog.import``) as ``principal`` (None: the hub itself).
    """
    parsed, errors = read_rows(name, data)
    report = ImportReport(errors=errors)
    existing = (
        {
            p.sku: p
            for p in session.scalars(
                select(Product).where(Product.sku.in_([f["sku"] for _, f in parsed]))
            )
        }
        if parsed
        else {}
    )
    for _, fields in parsed:
        p = existing.get(fields["sku"])
        if p is None:
            report.created.append(fields["sku"])
        elif _changes(p, fields):
            report.updated.append(fields["sku"])
        else:
            report.unchanged.append(fields["sku"])
    if preview:
        return report
    if errors:
        raise ImportRefused(
            "{name}: {count} problem(s); nothing was imported",
            hint="fix the rows listed (preview shows them all) and import again",
            errors=[str(e) for e in errors],
            problems=[(f"row {e.row}, {e.column}", e.message) for e in errors[:50]],
            name=name,
            count=len(errors),
        )
    for _, fields in parsed:
        p = existing.get(fields["sku"])
        if p is None:
            session.add(Product(**fields))
        else:
            for k, v in _changes(p, fields).items():
                setattr(p, k, v)
    session.flush()
    report.applied = True
    record(
        session,
        principal,
        "catalog.import",
        "catalog",
        None,
        None,
        {
            "file": Path(name).name,
            "created": len(report.created),
            "updated": len(report.updated),
        },
    )
    return report


def export_catalog(session: Session, fmt: str = "csv") -> bytes:
    """Every product, in SKU order, in the same columns the import reads."""
    products = list(session.scalars(select(Product).order_by(Product.sku)))
    return write_table(COLUMNS, (format_row(p) for p in products), fmt)
