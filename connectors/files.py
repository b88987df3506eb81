"""A folder of CSV and XLSX files, one table per file (per sheet for multi-sheet workbooks).

URL: ``files:///absolute/folder``. Table names: ``<file stem>`` for a CSV or a
one-sheet workbook, ``<file stem>.<sheet>`` for each sheet of a larger one.
The first row is the header (a blank name becomes ``column_<n>``).

Type policy, stated once (files carry no declared types):

* A column gets a type only when **every non-empty value** in it parses as
  that type, tried in this order: boolean (true/false/yes/no/t/f/y/n, any
  case — not 0/1), integer (no leading zeros: ``007`` stays text), decimal
  (plain ``-12.50``, no exponent or thousands separators; kept exact),
  date (``YYYY-MM-DD``), time (``HH:MM[:SS[.ffffff]]``), timestamp
  (``YYYY-MM-DD[T ]HH:MM[:SS[.f]]``), timestamptz (the same with ``Z`` or
  ``±HH[:MM]``, converted to UTC); anything else is text, kept exactly.
  Spreadsheet cells count by their own type (a date cell at midnight is a
  date; numbers are decimals unless all integral).
* An empty cell is NULL, in text columns too: a file cannot tell an empty
  string from a missing value, and NULL is what a person means by it.
* CSV is read as UTF-8 (a BOM is allowed), comma-separated (option
  ``delimiter``). A file in another encoding fails naming the file.

Files have no cursor: datasets are read in full (``supports_cursor=False``).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import unquote, urlsplit

from connectors.base import Dialect, ReadRequest
from connectors.sql import LineEncoder, SqlConnector
from connectors.values import (
    DATE_RE,
    DECIMAL_RE,
    FALSE_WORDS,
    INTEGER_RE,
    TIME_RE,
    TRUE_WORDS,
    ZONE_RE,
    parse_timestamp,
)
from shared.errors import (
    ConfigError,
    SourceAccessDenied,
    SourceObjectMissing,
    SourceQueryFailed,
    SourceUnavailable,
    SyncHubError,
)
from shared.types import Column, PortableType

P = PortableType
ORDER = [P.BOOLEAN, P.INTEGER, P.DECIMAL, P.DATE, P.TIME, P.TIMESTAMP, P.TIMESTAMPTZ]


def _timestamp_kind(text: str) -> set[PortableType]:
    try:
        parse_timestamp(text)
    except ValueError:
        return set()
    return {P.TIMESTAMPTZ} if ZONE_RE.search(text[19:]) else {P.TIMESTAMP}


def _date_ok(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def kinds(value: Any) -> set[PortableType]:
    """Every portable type (other than text) that can hold this non-empty value."""
    if isinstance(value, bool):
        return {P.BOOLEAN}
    if isinstance(value, int):
        return {P.INTEGER, P.DECIMAL}
    if isinstance(value, (float, Decimal)):
        return {P.DECIMAL}
    if isinstance(value, dt.datetime):
        return {P.TIMESTAMP, P.DATE} if value.time() == dt.time(0) else {P.TIMESTAMP}
    if isinstance(value, dt.date):
        return {P.DATE, P.TIMESTAMP}
    if isinstance(value, dt.time):
        return {P.TIME}
    s = str(value).strip()
    if s.lower() in TRUE_WORDS or s.lower() in FALSE_WORDS:
        return {P.BOOLEAN}
    if INTEGER_RE.match(s):
        return {P.INTEGER, P.DECIMAL}
    if DECIMAL_RE.match(s):
        return {P.DECIMAL}
    if DATE_RE.match(s) and _date_ok(s):
        return {P.DATE, P.TIMESTAMP}
    if TIME_RE.match(s):
        return {P.TIME}
    return _timestamp_kind(s)


def narrow(possible: set[PortableType], value: Any) -> set[PortableType]:
    """Candidate types left once ``value`` is seen (empty cells rule nothing out)."""
    return possible if value is None or value == "" else possible & kinds(value)


def pick(possible: set[PortableType], seen: bool) -> PortableType:
    """The first type in ORDER still possible; TEXT when none is (or the column is all empty)."""
    return next((t for t in ORDER if t in possible), P.TEXT) if seen else P.TEXT


class FilesConnector(SqlConnector):
    dialect = Dialect(name="files", supports_cursor=False, supports_query=False, schemas=False)
    lenient = True

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self.folder = Path(unquote(urlsplit(url).path))
        self._types: dict[tuple[str, float, int], list[Column]] = {}
        # sheet names per workbook (path, mtime_ns, size): opening a workbook parses every sheet's
        # dimensions, and every describe/read looks its table up, so list them once per version
        self._sheets: dict[tuple[str, int, int], list[str]] = {}

    def connect(self) -> None:
        if not self.folder.is_dir():
            raise SourceObjectMissing(
                f"files: folder {str(self.folder)!r} does not exist",
                hint="write files:///absolute/path/to/folder",
                path=str(self.folder),
            )
        if not os.access(self.folder, os.R_OK | os.X_OK):
            raise SourceAccessDenied(
                f"files: cannot read folder {self.folder}",
                hint="give the agent's user read permission",
            )

    def close(self) -> None:
        self._types.clear()
        self._sheets.clear()

    def translate_error(self, exc: BaseException, doing: str) -> SyncHubError:
        where = f"files {self.folder}: {doing}: {exc}"
        if isinstance(exc, UnicodeDecodeError):
            return SourceQueryFailed(where, hint="save the file as UTF-8 (CSV UTF-8 in Excel)")
        if isinstance(exc, PermissionError):
            return SourceAccessDenied(where, hint="give the agent's user read permission")
        if isinstance(exc, FileNotFoundError):
            return SourceObjectMissing(where, hint="the file was removed or renamed")
        if isinstance(exc, OSError):
            return SourceUnavailable(where, hint="the folder is unreachable; the next run retries")
        return SourceQueryFailed(where, hint="check that the file is a valid CSV or XLSX file")

    def _sources(self) -> dict[str, tuple[Path, Optional[str]]]:
        found: dict[str, tuple[Path, Optional[str]]] = {}
        with self.boundary("listing files"):
            for path in sorted(self.folder.iterdir()):
                if path.name.startswith((".", "~$")):
                    continue
                if path.suffix.lower() == ".csv":
                    found[path.stem] = (path, None)
                elif path.suffix.lower() == ".xlsx":
                    for sheet in (sheets := self._sheet_names(path)):
                        found[path.stem if len(sheets) == 1 else f"{path.stem}.{sheet}"] = (
                            path,
                            sheet,
                        )
        return found

    def _sheet_names(self, path: Path) -> list[str]:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
        if key not in self._sheets:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            self._sheets[key] = list(wb.sheetnames)
            wb.close()
        return self._sheets[key]

    def list_tables(self) -> list[str]:
        return list(self._sources())

    def primary_key(self, table: str) -> list[str]:
        return []  # files declare no keys: the dataset's configuration names them

    def _locate(self, table: str) -> tuple[Path, Optional[str]]:
        sources = self._sources()
        if table not in sources:
            raise SourceObjectMissing(
                f"files: no CSV or XLSX table named {table!r} in {self.folder}",
                hint="the tables are: " + ", ".join(sources),
                table=table,
            )
        return sources[table]

    def _rows(self, path: Path, sheet: Optional[str]) -> Iterator[list[Any]]:
        if sheet is None:
            # long texts (descriptions, notes) are normal in shop files: allow 64 MiB fields
            csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
            with open(path, newline="", encoding="utf-8-sig") as f:
                yield from csv.reader(f, delimiter=self.options.get("delimiter", ","))
            return
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            for row in wb[sheet].iter_rows(values_only=True):
                if any(v is not None and v != "" for v in row):
                    yield list(row)
        finally:
            wb.close()

    def native_columns(self, request: ReadRequest) -> list[Column]:
        path, sheet = self._locate(request.table or "")
        stat = path.stat()
        key = (request.table or "", stat.st_mtime, stat.st_size)
        if key not in self._types:
            with self.boundary(f"reading {path.name}"):
                rows = self._rows(path, sheet)
                header = [
                    str(h).strip() if h not in (None, "") else f"column_{i}"
                    for i, h in enumerate(next(rows, []), 1)
                ]
                if not header:
                    raise ConfigError([("table", f"{path.name} is empty: it needs a header row")])
                possible = [set(ORDER) for _ in header]
                seen = [False] * len(header)
                for row in rows:  # one pass, keeping only each column's candidate types
                    for i, v in enumerate(row[: len(header)]):
                        if v is not None and v != "":
                            seen[i] = True
                            if possible[i]:
                                possible[i] = narrow(possible[i], v)
                native = "xlsx cell" if sheet else "csv text"
                self._types[key] = [
                    Column(h, pick(p, s), True, native) for h, p, s in zip(header, possible, seen)
                ]
        return self._types[key]

    def read(self, request: ReadRequest) -> Iterator[bytes]:
        selected, _ = self.plan(request)
        path, sheet = self._locate(request.table or "")
        everything = self.native_columns(request)
        index = [[c.name for c in everything].index(c.name) for c in selected]
        encode = LineEncoder(selected, self.warnings, lenient=True)
        with self.boundary(f"reading {path.name}"):
            rows = self._rows(path, sheet)
            next(rows, None)  # header
            batch: list[str] = []
            for row in rows:
                row = row + [None] * (len(everything) - len(row))
                batch.append(encode([None if row[i] == "" else row[i] for i in index]))
                if len(batch) >= request.batch_rows:
                    yield "".join(batch).encode("utf-8")
                    batch = []
            if batch:
                yield "".join(batch).encode("utf-8")
