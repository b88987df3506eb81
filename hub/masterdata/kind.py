"""A kind of master-data record (price list, warehouse, contact...): its rules, no HTTP.

Each capability describes its records once by subclassing :class:`RecordKind` — fields,
natural key, search columns, and :meth:`RecordKind.assign` (the one place that checks a
record and resolves its external values: SKU → product id). The pages, the API, the CLI
and CSV/XLSX import/export all go through the operations here, so every change is
checked the same way and writes exactly one audit row:

* ``create`` / ``update`` / ``set_active`` / ``delete``: one record, one audit entry
  (``<entity>.create`` ...) with the values before and after;
* ``import_rows``: a whole file, all or nothing, one ``<entity>.import`` entry with the
  counts. ``preview=True`` runs the very same import in a savepoint and rolls it back, so
  what the preview shows is what applying does.

Callers commit (services never half-commit a page's work).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.i18n import translatable
from hub.core.roles import Principal, Role
from hub.core.sheets import read_table, write_table
from hub.masterdata.fields import Field, Invalid, Msg, cell, message_of, parse_values
from shared.errors import DataError, NotFound

T = TypeVar("T")
# Who the current operation acts for (kinds that stamp a name on a record read it: receipts).
_ACTOR: ContextVar[str] = ContextVar("masterdata_actor", default="")


@contextmanager
def acting(principal: Principal | None) -> Iterator[None]:
    token = _ACTOR.set(principal.username if principal is not None else "system")
    try:
        yield
    finally:
        _ACTOR.reset(token)


STATUSES = ("active", "inactive", "all")
MAX_IMPORT_ROWS = 20_000
COUNT_AHEAD = 1000  # a list counts this many rows past the page shown ("1.050+"), not all


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it (header = 1)
    column: str
    message: Msg


@dataclass
class ImportReport:
    """What an import did (or, previewed, would do): per action the rows' keys, and problems."""

    filename: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # (row, action, key) shown
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class RecordKind(Generic[T]):
    """Subclass per record kind; override :meth:`assign` (and :meth:`values` for references)."""

    slug: ClassVar[str]  # URL part: "price-lists"
    entity: ClassVar[str]  # audit entity: "price_list"
    title: ClassVar[str]  # message id: "Price lists"
    singular: ClassVar[str]  # message id: "price list"
    model: ClassVar[type[Any]]
    fields: ClassVar[Sequence[Field]]
    key: ClassVar[tuple[str, ...]] = ()  # natural key of an import row; () = rows only add
    searched: ClassVar[tuple[Any, ...]] = ()  # columns a search matches (case-insensitive)
    order_by: ClassVar[tuple[Any, ...]] = ()
    scopes: ClassVar[tuple[str, ...]] = ()  # fields that narrow a list (?price_list=Grosir)
    view_roles: ClassVar[frozenset[Role]]
    edit_roles: ClassVar[frozenset[Role]]
    creatable: ClassVar[bool] = True
    editable: ClassVar[bool] = True  # False: an append-only log (stock receipts)
    deletable: ClassVar[bool] = False  # rows without an active flag (quantity breaks)
    help: ClassVar[str] = ""  # message id: one line under the title

    # --- reading -------------------------------------------------------------------------

    @property
    def actor(self) -> str:
        """The user name of whoever the running create/update/import acts for."""
        return _ACTOR.get()

    @property
    def has_active(self) -> bool:
        return hasattr(self.model, "active")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def query(self, session: Session, q: str, status: str, scope: Mapping[str, str]) -> Select[Any]:
        """The rows a list shows; override :meth:`base` for joins, :meth:`narrow` for scopes."""
        stmt = self.base()
        words = [w for w in q.split() if w][:8]
        for word in words:
            like = f"%{word.lower()}%"
            stmt = stmt.where(or_(*(func.lower(c).like(like) for c in self.searched)))
        if self.has_active and status in ("active", "inactive"):
            stmt = stmt.where(self.model.active.is_(status == "active"))
        return self.narrow(session, stmt, scope)

    def base(self) -> Select[Any]:
        return select(self.model)

    def narrow(self, session: Session, stmt: Select[Any], scope: Mapping[str, str]) -> Select[Any]:
        return stmt

    def search(
        self,
        session: Session,
        q: str = "",
        status: str = "active",
        scope: Mapping[str, str] | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
        cap: int | None = None,
    ) -> tuple[list[T], int]:
        """One page of rows and their number; with ``cap``, counted no further than ``cap``
        rows past this page (a page shows "1.000+": it need not count a big list to the end),
        exact otherwise (the API's total)."""
        stmt = self.query(session, q, status, scope or {})
        counted = stmt.order_by(None)
        if cap is not None:
            counted = counted.limit(offset + limit + cap + 1)
        total = session.scalar(select(func.count()).select_from(counted.subquery()))
        rows = session.scalars(stmt.order_by(*self.order_by).offset(offset).limit(limit))
        return list(rows), int(total or 0)

    def count(self, session: Session, cap: int) -> int:
        """Active records, counted up to ``cap + 1`` (an index page's figure; exact below the cap)."""
        stmt = self.query(session, "", "active", {}).with_only_columns(self.model.id).limit(cap + 1)
        return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    def get(self, session: Session, row_id: int) -> T:
        row = session.get(self.model, row_id)
        if row is None:
            raise translatable(
                NotFound,
                "no record #{id}",
                "it may have been removed: go back to the list",
                id=row_id,
            )
        return row

    def values(self, session: Session, rows: Sequence[T]) -> list[dict[str, Any]]:
        """Each row's external values by field name (override to turn ids into names, in bulk)."""
        return [{f.name: getattr(r, f.name, None) for f in self.fields} for r in rows]

    def links(self, row: T, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(message id, URL) of pages about a record, shown on its row (a list's prices)."""
        return []

    def label(self, values: Mapping[str, Any]) -> str:
        """How a record is named in messages: its key fields, or its first field."""
        names = self.key or (self.fields[0].name,)
        return " / ".join(str(values.get(n) or "") for n in names)

    def find(self, session: Session, values: Mapping[str, Any]) -> T | None:
        """The existing record an import row updates (by :attr:`key`); override for references."""
        if not self.key:
            return None
        stmt = select(self.model)
        for name in self.key:
            stmt = stmt.where(getattr(self.model, name) == values.get(name))
        return session.scalars(stmt.limit(1)).first()

    # --- writing (audited) ---------------------------------------------------------------

    def assign(self, session: Session, row: T, values: Mapping[str, Any], creating: bool) -> None:
        """Check ``values`` and set them on ``row``; raise :class:`Invalid` naming the fields."""
        for name, value in values.items():
            setattr(row, name, value)

    def new(self) -> T:
        return self.model()

    def _snapshot(self, session: Session, row: T) -> dict[str, Any]:
        session.flush()
        return self.values(session, [row])[0]

    def create(self, session: Session, principal: Principal | None, values: Mapping[str, Any]) -> T:
        row = self.new()
        with acting(principal):
            self.assign(session, row, values, True)
        session.add(row)
        after = self._snapshot(session, row)
        record(session, principal, f"{self.entity}.create", self.entity, _id(row), None, after)
        return row

    def update(
        self, session: Session, principal: Principal | None, row: T, values: Mapping[str, Any]
    ) -> T:
        self._editable()
        before = self._snapshot(session, row)
        with acting(principal):
            self.assign(session, row, {**before, **values}, False)
        after = self._snapshot(session, row)
        if after != before:
            record(
                session, principal, f"{self.entity}.update", self.entity, _id(row), before, after
            )
        return row

    def set_active(self, session: Session, principal: Principal | None, row: T, active: bool) -> T:
        if not self.has_active:
            raise DataError("a {what} cannot be deactivated", what=self.singular)
        if bool(row.active) != active:  # type: ignore[attr-defined]
            row.active = active  # type: ignore[attr-defined]
            action = "activate" if active else "deactivate"
            record(
                session,
                principal,
                f"{self.entity}.{action}",
                self.entity,
                _id(row),
                {"active": not active},
                {"active": active},
            )
        return row

    def delete(self, session: Session, principal: Principal | None, row: T) -> None:
        if not self.deletable:
            raise DataError(
                "a {what} cannot be deleted", hint="deactivate it instead", what=self.singular
            )
        before = self._snapshot(session, row)
        session.delete(row)
        record(session, principal, f"{self.entity}.delete", self.entity, _id(row), before, None)

    def _editable(self) -> None:
        if not self.editable:
            raise DataError(
                "a {what} cannot be changed once recorded",
                hint="record a correcting entry instead",
                what=self.singular,
            )

    # --- files ---------------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def export(
        self,
        session: Session,
        fmt: str,
        q: str = "",
        status: str = "all",
        scope: Mapping[str, str] | None = None,
    ) -> bytes:
        """Every matching record in the columns the import reads (a round trip changes nothing)."""
        stmt = self.query(session, q, status, scope or {}).order_by(*self.order_by)
        rows = list(session.scalars(stmt))
        table = [[cell(f, v.get(f.name)) for f in self.fields] for v in self.values(session, rows)]
        return write_table(self.columns, table, fmt)

    def import_rows(
        self,
        session: Session,
        principal: Principal | None,
        filename: str,
        data: bytes,
        lang: str,
        *,
        preview: bool,
    ) -> ImportReport:
        """Create or update a record per row, all or nothing; ``preview`` rolls everything back."""
        header, rows = read_table(data, filename)
        report = ImportReport(filename)
        unknown = [h for h in header if h and h not in self.columns]
        missing = [f.name for f in self.fields if f.required and f.name not in header]
        for name in unknown:
            report.problems.append(RowProblem(1, name, ("unknown column: rename or remove it", {})))
        for name in missing:
            report.problems.append(RowProblem(1, name, ("this column is missing", {})))
        if len(rows) > MAX_IMPORT_ROWS:
            report.problems.append(
                RowProblem(1, "", ("at most {n} rows per file", {"n": MAX_IMPORT_ROWS}))
            )
        if report.problems:
            return report
        nested = session.begin_nested()
        try:
            with acting(principal):
                self._import(session, rows, lang, report)
        finally:
            if preview or report.problems:
                nested.rollback()
            else:
                nested.commit()
        if not preview and report.ok:
            report.applied = True
            record(
                session,
                principal,
                f"{self.entity}.import",
                self.entity,
                None,
                None,
                {
                    "file": filename,
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "unchanged": len(report.unchanged),
                },
            )
        return report

    def _import(
        self,
        session: Session,
        rows: Iterable[tuple[int, dict[str, str]]],
        lang: str,
        report: ImportReport,
    ) -> None:
        seen: dict[tuple[Any, ...], int] = {}
        for n, raw in rows:
            try:
                values = parse_values(self.fields, raw, lang, session=session, from_file=True)
                key = tuple(values.get(k) for k in self.key)
                if self.key and key in seen:
                    raise Invalid(
                        {
                            self.key[-1]: (
                                "the same record is already on row {row}",
                                {"row": seen[key]},
                            )
                        }
                    )
                seen[key] = n
                label = self.label(values)
                existing = self.find(session, values)
                if existing is None:
                    self.create_quietly(session, values)
                    report.created.append(label)
                    action = "create"
                else:
                    before = self._snapshot(session, existing)
                    self.assign(session, existing, {**before, **values}, False)
                    changed = self._snapshot(session, existing) != before
                    (report.updated if changed else report.unchanged).append(label)
                    action = "update" if changed else "unchanged"
                if len(report.rows) < 200:
                    report.rows.append((n, action, label))
            except Invalid as exc:
                for name, msg in exc.fields.items():
                    report.problems.append(RowProblem(n, name, msg))
            except DataError as exc:
                report.problems.append(RowProblem(n, "", message_of(exc)))
            if len(report.problems) >= 500:
                break

    def create_quietly(self, session: Session, values: Mapping[str, Any]) -> T:
        """A record made by an import (audited once for the whole file)."""
        row = self.new()
        self.assign(session, row, values, True)
        session.add(row)
        session.flush()
        return row


def _id(row: Any) -> Any:
    return getattr(row, "id", None)
