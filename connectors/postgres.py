"""PostgreSQL through psycopg 3, read with ``COPY (SELECT ...) TO STDOUT``.

The session is set so that PostgreSQL itself writes the canonical text
(``TimeZone=UTC``, ``DateStyle=ISO``, ``bytea_output=hex``,
``extra_float_digits=3``): rows go from the server's COPY output to the
agent without Python touching a value. Every transaction is READ ONLY.
"""

from __future__ import annotations

from typing import Any, Iterator

from connectors.base import Dialect, ReadRequest
from connectors.sql import SqlConnector, build_select, check_select, table_ref
from shared.errors import (
    SourceAccessDenied,
    SourceObjectMissing,
    SourceQueryFailed,
    SourceUnavailable,
    SyncHubError,
)
from shared.types import Column, PortableType

P = PortableType
# Keyed by the base type's regtype text (domains resolve to their base type).
TYPES: dict[str, PortableType] = {
    **dict.fromkeys(["smallint", "integer", "bigint", "oid"], P.INTEGER),
    "numeric": P.DECIMAL,
    **dict.fromkeys(["real", "double precision"], P.FLOAT),
    "boolean": P.BOOLEAN,
    **dict.fromkeys(["text", "character varying", "character", "name", "citext", '"char"'], P.TEXT),
    "bytea": P.BINARY,
    "date": P.DATE,
    "time without time zone": P.TIME,
    "timestamp without time zone": P.TIMESTAMP,
    "timestamp with time zone": P.TIMESTAMPTZ,
    **dict.fromkeys(["json", "jsonb"], P.JSON),
}
SESSION = "-c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex -c extra_float_digits=3"
_TABLE_COLUMNS = """
SELECT a.attname, COALESCE(NULLIF(t.typbasetype, 0), t.oid)::regtype::text,
       format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"""
_TYPE_NAMES = """
SELECT t.oid, COALESCE(NULLIF(t.typbasetype, 0), t.oid)::regtype::text, format_type(t.oid, NULL)
FROM pg_type t WHERE t.oid = ANY(%s)"""
_PRIMARY_KEY = """
SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = %s::regclass AND i.indisprimary
ORDER BY array_position(i.indkey::int2[], a.attnum)"""
_TABLES = """
SELECT table_schema, table_name FROM information_schema.tables
WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"""

# SQLSTATE classes and codes -> what the caller can do about them
_UNAVAILABLE = ("08", "53", "57P", "40001", "40P01", "55P03", "57014", "58")
_DENIED = ("28", "42501")
_MISSING = ("42P01", "42703", "3F000", "3D000", "42704")
# libpq reports failures before a session exists without a SQLSTATE: recognise their text.
_CONNECT_TEXTS = {"password authentication failed": "28P01", "no pg_hba.conf entry": "28000",
                  "does not exist": "28000", "permission denied": "42501"}


class PostgresConnector(SqlConnector):
    dialect = Dialect(name="postgresql", fast_path="COPY (SELECT ...) TO STDOUT")
    types = TYPES

    def connect(self) -> None:
        import psycopg

        with self.boundary("connecting"):
            self.conn = psycopg.connect(self.url, options=SESSION,
                                        connect_timeout=int(self.options.get("connect_timeout", 10)),
                                        application_name="syncagent")
            self.conn.read_only = True

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def translate_error(self, exc: BaseException, doing: str) -> SyncHubError:
        import psycopg

        state = getattr(exc, "sqlstate", None) or ""
        msg = " ".join(str(exc).split())
        if not state and "FATAL:" in msg:
            fatal = msg.split("FATAL:", 1)[1]
            state = next((code for text, code in _CONNECT_TEXTS.items() if text in fatal), "")
            if state == "28000" and fatal.lstrip().startswith("database"):
                state = "3D000"
        where = f"PostgreSQL: {doing}: {msg}"
        if state.startswith(_DENIED):
            return SourceAccessDenied(where, hint="check the user and password in the source URL and "
                                                  "that the user has SELECT on the dataset's tables")
        if state.startswith(_MISSING):
            return SourceObjectMissing(where, hint="check the dataset's table and column names "
                                                   "(`syncagent check` lists what the user can read)")
        if state.startswith(_UNAVAILABLE) or (isinstance(exc, psycopg.OperationalError) and not state):
            return SourceUnavailable(where, hint="check that the server is running and reachable at "
                                                 "the URL's host and port; the next run retries")
        return SourceQueryFailed(where, hint="check the dataset's definition against the source")

    def list_tables(self) -> list[str]:
        with self.boundary("listing tables"):
            rows = self.conn.execute(_TABLES).fetchall()
            self.conn.rollback()
        return [t if s == "public" else f"{s}.{t}" for s, t in rows]

    def native_columns(self, request: ReadRequest) -> list[Column]:
        with self.boundary(f"describing {request.label}"):
            try:
                if request.table is not None:
                    rows = self.conn.execute(_TABLE_COLUMNS, [table_ref(request.table, self.dialect)])
                    return [Column(n, self.types.get(base, P.TEXT), nullable, native)
                            for n, base, native, nullable in rows]
                cur = self.conn.execute(f"SELECT * FROM ({check_select(request.query or '')}) AS q "
                                        "LIMIT 0")
                desc = [(d.name, d.type_code) for d in cur.description or []]
                names = {oid: (base, native) for oid, base, native in
                         self.conn.execute(_TYPE_NAMES, [[oid for _, oid in desc]])}
                return [Column(n, self.types.get(names[oid][0], P.TEXT), True, names[oid][1])
                        for n, oid in desc]
            finally:
                self.conn.rollback()

    def primary_key(self, table: str) -> list[str]:
        with self.boundary(f"reading the primary key of {table}"):
            rows = self.conn.execute(_PRIMARY_KEY, [table_ref(table, self.dialect)]).fetchall()
            self.conn.rollback()
        return [r[0] for r in rows]

    def read(self, request: ReadRequest) -> Iterator[bytes]:
        selected, cursor = self.plan(request)
        sql, params = build_select(self.dialect, request, selected, cursor)
        with self.boundary(f"reading {request.label}"):
            try:
                with self.conn.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                    yield from self._copy_chunks(copy, request.batch_rows)
            finally:
                self.conn.rollback()

    def _copy_chunks(self, copy: Any, batch_rows: int) -> Iterator[bytes]:
        """``batch_rows`` COPY rows per chunk, with as little Python per row as libpq allows.

        PostgreSQL sends one CopyData message per row. ``Copy.read()`` costs a
        few generator and wait calls per row, so rows already in libpq's input
        buffer are taken with ``PQgetCopyData`` (non-blocking) directly; only
        when the buffer is empty does ``Copy.read()`` wait for the socket. The
        end of the COPY, when met here, is finished here (final result, error).
        """
        import psycopg

        pgconn = self.conn.pgconn
        get = pgconn.get_copy_data
        done = False
        while not done:
            held: list[Any] = []
            add = held.append
            while len(held) < batch_rows:
                n, data = get(1)
                while n > 0:
                    add(data)
                    if len(held) >= batch_rows:
                        break
                    n, data = get(1)
                if n > 0:
                    break
                if n == 0:  # nothing buffered: let psycopg wait for the socket (one row, or b"" at the end)
                    row = copy.read()
                    if not row:
                        done = True
                        break
                    add(row)
                    continue
                if n == -2:
                    raise psycopg.OperationalError(pgconn.error_message.decode(errors="replace"))
                self._finish_copy(pgconn)
                done = True
                break
            if held:
                yield b"".join(held)

    def _finish_copy(self, pgconn: Any) -> None:
        """After PQgetCopyData said -1: the COPY's final result (raises the server's error if any)."""
        import psycopg
        from psycopg import pq

        error = None
        while (res := pgconn.get_result()) is not None:
            if res.status != pq.ExecStatus.COMMAND_OK and error is None:
                error = psycopg.errors.error_from_result(res, encoding=self.conn.info.encoding)
        if error is not None:
            raise error

    def count(self, request: ReadRequest) -> int:
        selected, cursor = self.plan(request)
        sql, params = build_select(self.dialect, request, selected, cursor)
        with self.boundary(f"counting {request.label}"):
            row: Any = self.conn.execute(f"SELECT count(*) FROM ({sql}) AS c", params).fetchone()
            self.conn.rollback()
        return int(row[0])
