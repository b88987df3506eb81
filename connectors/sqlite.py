"""SQLite, through the standard library, opened read-only.

URL: ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``
(SQLAlchemy's spelling). The file is opened with ``mode=ro`` and
``PRAGMA query_only``, so nothing can be written even by mistake.

SQLite types values per row, not per column: a column's portable type comes
from its declared type (below), and each value is parsed into it; a value
that is not one (``'abc'`` in a DATE column) is read as NULL and counted in
``warnings``. A dataset that is a query has no declared types: its columns
are read as text (define a view instead to keep types).
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from connectors.base import Dialect, ReadRequest
from connectors.sql import SqlConnector, check_select
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
TYPES: dict[str, PortableType] = {
    **dict.fromkeys(
        [
            "integer",
            "int",
            "bigint",
            "smallint",
            "tinyint",
            "mediumint",
            "int2",
            "int8",
            "unsigned big int",
        ],
        P.INTEGER,
    ),
    **dict.fromkeys(["boolean", "bool", "bit"], P.BOOLEAN),
    **dict.fromkeys(["real", "double", "double precision", "float"], P.FLOAT),
    **dict.fromkeys(["numeric", "decimal", "money"], P.DECIMAL),
    **dict.fromkeys(
        [
            "text",
            "varchar",
            "char",
            "nchar",
            "nvarchar",
            "character",
            "clob",
            "ntext",
            "varying character",
            "native character",
            "",
        ],
        P.TEXT,
    ),
    **dict.fromkeys(["blob", "binary", "varbinary", "image"], P.BINARY),
    "date": P.DATE,
    "time": P.TIME,
    **dict.fromkeys(["datetime", "timestamp"], P.TIMESTAMP),
    **dict.fromkeys(["timestamptz", "timestamp with time zone"], P.TIMESTAMPTZ),
    **dict.fromkeys(["json", "jsonb"], P.JSON),
}


class SqliteConnector(SqlConnector):
    dialect = Dialect(name="sqlite", placeholder="?", schemas=False)
    types = TYPES
    lenient = True

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.url).path[1:])  # sqlite:///rel -> rel, sqlite:////abs -> /abs

    def connect(self) -> None:
        path = self.path
        if not path:
            raise ConfigError(
                [("url", f"{self.url!r} names no database file")],
                hint="write sqlite:///relative/path.db or sqlite:////absolute/path.db",
            )
        if not os.path.isfile(path):
            raise SourceObjectMissing(
                f"SQLite database file {path!r} does not exist",
                hint="check the path in the source URL",
                path=path,
            )
        with self.boundary(f"opening {path}"):
            self.conn = sqlite3.connect(
                f"file:{quote(os.path.abspath(path))}?mode=ro",
                uri=True,
                timeout=float(self.options.get("timeout", 30)),
            )
            self.conn.execute("PRAGMA query_only = 1")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def translate_error(self, exc: BaseException, doing: str) -> SyncHubError:
        msg = str(exc)
        low = msg.lower()
        where = f"SQLite {self.path}: {doing}: {msg}"
        if isinstance(exc, PermissionError) or "readonly" in low or "permission" in low:
            return SourceAccessDenied(
                where, hint="the agent's user needs read permission on the file"
            )
        if "no such table" in low or "no such column" in low:
            return SourceObjectMissing(
                where, hint="check table and column names (list them with `syncagent check`)"
            )
        if "locked" in low or "busy" in low or "unable to open" in low or "disk i/o" in low:
            return SourceUnavailable(
                where,
                hint="another program holds the file or it is unreachable; the next run retries",
            )
        return SourceQueryFailed(
            where, hint="check that the file is a SQLite database and the dataset's definition"
        )

    def list_tables(self) -> list[str]:
        with self.boundary("listing tables"):
            rows = self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
            return [r[0] for r in rows]

    def _table_info(self, table: str) -> list[Any]:
        with self.boundary(f"describing {table}"):
            rows = self.conn.execute(
                'SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid', (table,)
            ).fetchall()
        if not rows:
            raise SourceObjectMissing(
                f"SQLite {self.path}: no table or view named {table!r}",
                hint="the tables are: " + ", ".join(self.list_tables()),
                table=table,
            )
        return list(rows)

    def native_columns(self, request: ReadRequest) -> list[Column]:
        if request.table is not None:
            return [
                self.column(n, t or "", not nn) for n, t, nn, _ in self._table_info(request.table)
            ]
        with self.boundary("describing the query"):
            cur = self.conn.execute(f"SELECT * FROM ({check_select(request.query or '')}) LIMIT 0")
            return [self.column(d[0], "") for d in cur.description]

    def primary_key(self, table: str) -> list[str]:
        pk = sorted((p, n) for n, _, _, p in self._table_info(table) if p)
        return [n for _, n in pk]

    def leading_index_columns(self, table: str) -> set[str]:
        pk = [(n, t) for n, t, _, p in self._table_info(table) if p]
        with self.boundary(f"reading the indexes of {table}"):
            rows = self.conn.execute(
                "SELECT i.name FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS i "
                "WHERE i.seqno = 0 AND l.partial = 0",
                (table,),
            ).fetchall()
        # an INTEGER PRIMARY KEY is the rowid: the table's own b-tree is ordered by it
        rowid = {pk[0][0]} if len(pk) == 1 and pk[0][1].upper() == "INTEGER" else set()
        return {r[0] for r in rows if r[0] is not None} | rowid
