"""Rate-card files: read CSV/XLSX, validate every row, apply as a new tariff, export.

A file is all or nothing: any bad row refuses the whole file, and the error
lists every bad row with its number and reason. A good file replaces, per
courier+service it contains, the tariff *from its earliest effective date
on*: older lines are closed on that date (their ``effective_to``), so quotes
dated before it — and fees frozen on old orders — keep the old prices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Mapping

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.roles import Principal
from hub.core.sheets import read_table, write_table
from hub.shipping.cache import forget_cached
from hub.shipping.models import RateCard, Region
from hub.shipping.rules import DEFAULT_RULES, ServiceRules
from shared.errors import DataError

COLUMNS = [
    "courier",
    "service",
    "origin",
    "destination",
    "price_per_kg",
    "min_weight",
    "etd_min",
    "etd_max",
    "effective_from",
    "effective_to",
]
OPTIONAL = {"effective_to", "min_weight"}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line in the file, header = 1
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


class RateCardRejected(DataError):
    """The whole file was refused; ``errors`` has one entry per bad row/column."""

    def __init__(self, errors: list[RowError], source: str = "rate card") -> None:
        self.errors = errors
        shown = "\n  ".join(str(e) for e in errors[:50])
        more = f"\n  … and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(
            f"{source} refused, {len(errors)} problem(s), nothing imported:\n  {shown}{more}",
            hint="fix these rows and import the file again",
            problems=[str(e) for e in errors],
        )


def read_rows(data: bytes, filename: str) -> list[dict[str, Any]]:
    """Rows of a .csv or .xlsx file as dicts keyed by lower-case header."""
    try:
        header, rows = read_table(data, filename)
    except DataError as exc:
        raise RateCardRejected([RowError(1, "file", exc.message)]) from None
    missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL]
    if missing:
        raise RateCardRejected(
            [
                RowError(
                    1,
                    "header",
                    f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}",
                )
            ]
        )
    return [cells for _, cells in rows]


def _decimal(v: Any) -> Decimal:
    if isinstance(v, float):
        v = repr(v)  # XLSX numbers arrive as float: keep the digits shown, not binary noise
    try:
        d = Decimal(str(v).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{v!r} is not a number") from None
    if not d.is_finite():
        raise ValueError(f"{v!r} is not a number")
    return d


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        raise ValueError(f"{v!r} is not a date (YYYY-MM-DD)") from None


def validate(
    session: Session,
    rows: list[dict[str, Any]],
    rules: Mapping[tuple[str, str], ServiceRules] = DEFAULT_RULES,
) -> list[dict[str, Any]]:
    """Typed rows, or ``RateCardRejected`` listing every problem at once."""
    errors: list[RowError] = []
    clean: list[tuple[int, dict[str, Any]]] = []
    for n, raw in enumerate(rows, start=2):
        row: dict[str, Any] = {}
        bad = len(errors)
        for col in COLUMNS:
            v = raw.get(col)
            if v in (None, ""):
                if col == "min_weight":
                    row[col] = Decimal(0)
                elif col == "effective_to":
                    row[col] = None
                else:
                    errors.append(RowError(n, col, "is empty"))
                continue
            try:
                if col in ("courier", "service", "origin", "destination"):
                    row[col] = (
                        str(v).strip().upper() if col in ("courier", "service") else str(v).strip()
                    )
                elif col in ("price_per_kg", "min_weight"):
                    row[col] = _decimal(v)
                    if row[col] < 0:
                        raise ValueError(f"{row[col]} is negative")
                elif col in ("etd_min", "etd_max"):
                    d = _decimal(v)
                    if d != d.to_integral_value() or d < 0:
                        raise ValueError(f"{v!r} is not a whole number of days ≥ 0")
                    row[col] = int(d)
                else:
                    row[col] = _date(v)
            except ValueError as exc:
                errors.append(RowError(n, col, str(exc)))
        if len(errors) > bad:
            continue
        if (row["courier"], row["service"]) not in rules:
            known = ", ".join(f"{c} {s}" for c, s in rules)
            errors.append(
                RowError(
                    n,
                    "service",
                    f"unknown courier/service {row['courier']} {row['service']} (known: {known})",
                )
            )
        if row["etd_max"] < row["etd_min"]:
            errors.append(RowError(n, "etd_max", "is smaller than etd_min"))
        if row["effective_to"] is not None and row["effective_to"] <= row["effective_from"]:
            errors.append(RowError(n, "effective_to", "is not after effective_from"))
        if len(errors) == bad:
            clean.append((n, row))
    errors += _check_regions(session, clean) + _check_overlaps(clean)
    if errors:
        raise RateCardRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    return [r for _, r in clean]


def _check_regions(session: Session, rows: list[tuple[int, dict[str, Any]]]) -> list[RowError]:
    codes = {r[c] for _, r in rows for c in ("origin", "destination")}
    levels: dict[str, int] = {}
    code_list = sorted(codes)
    for i in range(0, len(code_list), 500):
        levels.update(
            session.execute(
                select(Region.kode, Region.level).where(Region.kode.in_(code_list[i : i + 500]))
            ).all()
        )
    errors = []
    for n, r in rows:
        for col, allowed, what in (
            ("origin", (1, 2), "a province or regency"),
            ("destination", (2, 3), "a regency or district"),
        ):
            level = levels.get(r[col])
            if level is None:
                errors.append(RowError(n, col, f"unknown region code {r[col]!r}"))
            elif level not in allowed:
                errors.append(RowError(n, col, f"{r[col]!r} must be {what} code"))
    return errors


def _check_overlaps(rows: list[tuple[int, dict[str, Any]]]) -> list[RowError]:
    by_route: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for n, r in rows:
        key = (r["courier"], r["service"], r["origin"], r["destination"])
        by_route.setdefault(key, []).append((n, r))
    errors = []
    for lines in by_route.values():
        lines.sort(key=lambda x: x[1]["effective_from"])
        for (n0, a), (n1, b) in zip(lines, lines[1:]):
            if a["effective_to"] is None or a["effective_to"] > b["effective_from"]:
                errors.append(
                    RowError(
                        n1,
                        "effective_from",
                        f"overlaps row {n0} for the same route "
                        f"({a['effective_from']} – {a['effective_to'] or 'open'})",
                    )
                )
    return errors


def apply(session: Session, rows: list[dict[str, Any]]) -> dict[tuple[str, str], dt.date]:
    """Replace each courier+service's tariff from the file's earliest date on (no commit)."""
    starts: dict[tuple[str, str], dt.date] = {}
    for r in rows:
        key = (r["courier"], r["service"])
        starts[key] = min(starts.get(key, r["effective_from"]), r["effective_from"])
    for (courier, service), start in starts.items():
        same = (RateCard.courier == courier, RateCard.service == service)
        session.execute(delete(RateCard).where(*same, RateCard.effective_from >= start))
        session.execute(
            update(RateCard)
            .where(
                *same,
                RateCard.effective_from < start,
                or_(RateCard.effective_to.is_(None), RateCard.effective_to > start),
            )
            .values(effective_to=start)
        )
    table = RateCard.__table__
    assert isinstance(table, Table), "a declarative model maps one Table"
    session.execute(table.insert(), rows)
    return starts


def import_file(
    session: Session, path: Path | None = None, *, data: bytes | None = None, filename: str = ""
) -> dict[tuple[str, str], dt.date]:
    """Validate and apply a whole file in the caller's transaction."""
    if data is None:
        assert path is not None
        data, filename = path.read_bytes(), path.name
    starts = apply(session, validate(session, read_rows(data, filename)))
    forget_cached()
    return starts


def import_audited(
    session: Session, principal: Principal | None, data: bytes, filename: str
) -> tuple[dict[tuple[str, str], dt.date], int]:
    """:func:`import_file` plus its one audit entry (who, which file, from which dates);
    returns the new tariffs' start dates and the number of lines imported."""
    rows = validate(session, read_rows(data, filename))
    starts = apply(session, rows)
    forget_cached()
    record(
        session,
        principal,
        "rate_card.import",
        "rate_card",
        None,
        None,
        {
            "file": filename,
            "lines": len(rows),
            "from": {f"{c} {s}": d for (c, s), d in sorted(starts.items())},
        },
    )
    return starts, len(rows)


__all__ = [
    "RateCardRejected",
    "apply",
    "export_bytes",
    "import_audited",
    "import_file",
    "plan",
    "read_rows",
    "validate",
]


def export_rows(session: Session, on: dt.date | None = None) -> Iterable[dict[str, Any]]:
    stmt = select(RateCard).order_by(
        RateCard.courier,
        RateCard.service,
        RateCard.origin,
        RateCard.destination,
        RateCard.effective_from,
    )
    if on is not None:
        stmt = stmt.where(
            RateCard.effective_from <= on,
            or_(RateCard.effective_to.is_(None), RateCard.effective_to > on),
        )
    for card in session.execute(stmt).scalars():
        yield {c: getattr(card, c) for c in COLUMNS}


def export_bytes(session: Session, fmt: str = "csv", on: dt.date | None = None) -> bytes:
    """The rate cards as a file ``import_file`` accepts back unchanged."""
    cell = lambda v: "" if v is None else str(v)  # noqa: E731
    rows = ([cell(r[c]) for c in COLUMNS] for r in export_rows(session, on))
    return write_table(COLUMNS, rows, fmt)


def plan(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What applying validated ``rows`` does, per courier+service: from which date the file's
    tariff takes over, how many lines it brings, how many stored lines it replaces (starting on
    or after that date) and how many it closes on that date (older, still open then)."""
    starts: dict[tuple[str, str], dt.date] = {}
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["courier"], r["service"])
        starts[key] = min(starts.get(key, r["effective_from"]), r["effective_from"])
        counts[key] = counts.get(key, 0) + 1
    out = []
    for (courier, service), start in sorted(starts.items()):
        same = (RateCard.courier == courier, RateCard.service == service)
        replaced = session.scalar(
            select(func.count()).where(*same, RateCard.effective_from >= start)
        )
        closed = session.scalar(
            select(func.count()).where(
                *same,
                RateCard.effective_from < start,
                or_(RateCard.effective_to.is_(None), RateCard.effective_to > start),
            )
        )
        out.append(
            {
                "courier": courier,
                "service": service,
                "from": start,
                "lines": counts[(courier, service)],
                "replaced": int(replaced or 0),
                "closed": int(closed or 0),
            }
        )
    return out
