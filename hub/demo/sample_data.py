"""Load the shipped Northwind ports into real databases and spreadsheet files.

One trading company (Microsoft's Northwind) in three independent ports, used
by the tests and by the demo as three resellers on three platforms:
PostgreSQL (pthom), SQLite (jpwhite3), MySQL/MariaDB (valoni), plus a
"spreadsheet reseller" whose tables are CSV/XLSX files built from the SQLite
port. The data files under `data/northwind/` are byte-identical copies of the
upstream files (see each folder's SOURCE.md); the few fixes they need are
applied here, at load time, and are listed next to the code that applies them.

Every port agrees on 77 products, 830 orders, 2,155 order lines and revenue
Σ UnitPrice·Quantity·(1−Discount) = 1,265,793.04.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

DATA = Path(__file__).resolve().parent / "data" / "northwind"
SQLITE_SQL = DATA / "jpwhite3_northwind-SQLite3" / "create.sql"
POSTGRES_SQL = DATA / "pthom_northwind_psql" / "northwind.sql"
MYSQL_SQL = DATA / "valoni_northwindextended" / "Northwind.MySQL5.sql"

FileFormat = Literal["csv", "xlsx", "mixed"]


class SampleDataError(RuntimeError):
    """A sample file could not be loaded; the message names the file and statement."""


# --------------------------------------------------------------------------- SQLite


def northwind_sqlite(path: Path) -> Path:
    """Build (or rebuild) a SQLite database at `path` from the jpwhite3 script; returns `path`.

    No fix needed beyond reading it with `utf-8-sig` (tolerates a BOM).
    """
    path = Path(path)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        # thousands of autocommitted INSERTs: skip the per-statement fsync (6 s -> 0.3 s)
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA journal_mode=MEMORY")
        con.executescript(SQLITE_SQL.read_text(encoding="utf-8-sig"))
        con.commit()
    finally:
        con.close()
    return path


# --------------------------------------------------------------------------- PostgreSQL


def load_northwind_postgres(dsn: str) -> None:
    """Load pthom's dump into the (empty) database at `dsn` with psycopg, no psql needed.

    The file is plain SQL (no psql meta-commands), so it runs as one simple-protocol
    script in a single transaction: either the whole port is loaded or nothing.
    """
    import psycopg

    sql = POSTGRES_SQL.read_text(encoding="utf-8-sig")
    try:
        with psycopg.connect(dsn) as con:
            con.execute(sql)  # no params: multi-statement is allowed
    except psycopg.Error as exc:
        raise SampleDataError(f"loading {POSTGRES_SQL.name} into {dsn}: {exc}") from exc


# --------------------------------------------------------------------------- MySQL / MariaDB

# valoni's script creates and USEs its own database `northwind` (and drops it first!),
# and names it in one procedure: we load into the caller's database instead.
_MYSQL_SKIP = re.compile(r"^\s*(DROP\s+DATABASE|CREATE\s+DATABASE|USE)\s", re.I)
_MYSQL_FIXES = (
    # `Discount REAL(8,0)` rounds every discount to 0 (revenue would be 1,354,458.59): widen it.
    ("`Discount` REAL(8,0)", "`Discount` REAL"),
    ("`northwind`.", ""),
)
_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?:\n|$)", re.I)
_QUOTED = r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`(?:[^`]|``)*`"
_COMMENT = r"#[^\n]*|--[ \t][^\n]*|/\*.*?\*/"


def _token_re(delimiter: str) -> re.Pattern[str]:
    """Quoted text | comment | a run that cannot contain the delimiter | one character."""
    stop = re.escape("'\"`#/-\n" + delimiter[0])
    return re.compile(rf"(?P<q>{_QUOTED})|(?P<c>{_COMMENT})|[^{stop}]+|.", re.S)


def mysql_statements(sql: str) -> Iterator[str]:
    """Split a mysql-client script into statements, honouring quotes, comments and DELIMITER.

    `DELIMITER $$` is a client command, not SQL: it is interpreted here so that
    stored procedures reach the server as one statement each. Comments are dropped.
    """
    sql = sql.replace("\r\n", "\n")
    delimiter, token = ";", _token_re(";")
    pos, line_start = 0, True
    current: list[str] = []
    while pos < len(sql):
        if line_start and not "".join(current).strip():
            m = _DELIMITER.match(sql, pos)
            if m:
                delimiter, token, pos = m.group(1), _token_re(m.group(1)), m.end()
                continue
        if sql.startswith(delimiter, pos):
            stmt = "".join(current).strip()
            if stmt:
                yield stmt
            current, pos, line_start = [], pos + len(delimiter), False
            continue
        m = token.match(sql, pos)
        assert m is not None  # the pattern ends with '.', which matches any character
        current.append(" " if m.group("c") else m.group(0))
        pos, line_start = m.end(), m.group(0).endswith("\n")
    stmt = "".join(current).strip()
    if stmt:
        yield stmt


def northwind_mysql_statements() -> list[str]:
    """valoni's script as statements for PyMySQL, with the load-time fixes applied."""
    sql = MYSQL_SQL.read_text(encoding="utf-8-sig")  # the file starts with a UTF-8 BOM
    for old, new in _MYSQL_FIXES:
        if old not in sql:
            raise SampleDataError(f"{MYSQL_SQL.name} changed: expected {old!r} to fix at load time")
        sql = sql.replace(old, new)
    return [s for s in mysql_statements(sql) if not _MYSQL_SKIP.match(s)]


def load_northwind_mysql(host: str, port: int, user: str, password: str, database: str) -> None:
    """Load valoni's MySQL port into the existing (empty) `database` with PyMySQL."""
    import pymysql

    con = pymysql.connect(
        host=host,
        port=port,
        user=user,
        password=password,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )
    try:
        with con.cursor() as cur:
            for stmt in northwind_mysql_statements():
                try:
                    cur.execute(stmt)
                except pymysql.Error as exc:
                    raise SampleDataError(
                        f"loading {MYSQL_SQL.name} into {database}: {exc} in: {stmt[:200]}"
                    ) from exc
    finally:
        con.close()


# --------------------------------------------------------------------------- spreadsheet reseller


def _tables(con: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]


def _text_columns(con: sqlite3.Connection, table: str) -> list[str]:
    """Every column except BLOBs (pictures): a spreadsheet shop has no binary columns."""
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[2].upper() != "BLOB"]


_SQLITE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$")


def _cell(value: Any) -> Any:
    """XLSX cells carry types: Northwind's 'YYYY-MM-DD hh:mm:ss.fff' text becomes a date cell."""
    if isinstance(value, str) and _SQLITE_DATETIME.match(value):
        return datetime.fromisoformat(value)
    return value


def northwind_files(
    folder: Path, fmt: FileFormat = "csv", prepare: Callable[[Path], object] | None = None
) -> list[Path]:
    """Write every Northwind table as `<Table>.csv` (UTF-8, header row) and/or `<Table>.xlsx`.

    `mixed` alternates formats table by table (alphabetical order: first CSV),
    like a shop whose staff keep some lists in Excel. BLOB columns are left out.
    ``prepare`` may rewrite the SQLite build before it is exported (the demo's Rupiah).
    Returns the files written.
    """
    if fmt not in ("csv", "xlsx", "mixed"):
        raise ValueError(f"fmt must be 'csv', 'xlsx' or 'mixed', not {fmt!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    db = northwind_sqlite(folder / ".northwind-build.sqlite")
    if prepare is not None:
        prepare(db)
    written: list[Path] = []
    con = sqlite3.connect(db)
    try:
        for i, table in enumerate(_tables(con)):
            cols = _text_columns(con, table)
            select = (
                "SELECT " + ", ".join(f'"{c}"' for c in cols) + f' FROM "{table}" ORDER BY rowid'
            )
            as_csv = fmt == "csv" or (fmt == "mixed" and i % 2 == 0)
            writer = _write_csv if as_csv else _write_xlsx
            written.append(
                writer(
                    folder / f"{table}.{'csv' if as_csv else 'xlsx'}",
                    table,
                    cols,
                    con.execute(select),
                )
            )
    finally:
        con.close()
        db.unlink(missing_ok=True)
    return written


def _write_csv(path: Path, table: str, cols: list[str], rows: Any) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(cols)
        out.writerows(rows)
    return path


def _write_xlsx(path: Path, table: str, cols: list[str], rows: Any) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=table[:31])
    ws.append(cols)
    for row in rows:
        ws.append([_cell(v) for v in row])
    wb.save(path)
    return path
