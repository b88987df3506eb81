"""PostgreSQL through psycopg 3, read with ``COPY (SELECT ...) TO STDOUT``.

The session is set so that PostgreSQL itself writes the canonical text
(``TimeZone=UTC``, ``DateStyle=ISO``, ``bytea_output=hex``,
``extra_float_digits=3``): rows go from the server's COPY output to the
agent without Python touching a value. Every transaction is READ ONLY.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Callable, Iterator, Optional, Sequence

from connectors.base import Dialect, ReadRequest
from connectors.batching import Batcher
from connectors.sql import (
    SqlConnector,
    build_select,
    check_select,
    prefetch,
    produce,
    quote_ident,
    table_ref,
)
from shared.errors import (
    SourceAccessDenied,
    SourceObjectMissing,
    SourceQueryFailed,
    SourceUnavailable,
    SyncHubError,
)
from shared.types import Column, PortableType

P = PortableType
log = logging.getLogger(__name__)
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
# the server writes the canonical text itself (asyncpg sets client_encoding UTF8; psycopg is told to)
SETTINGS = {"TimeZone": "UTC", "DateStyle": "ISO", "bytea_output": "hex", "extra_float_digits": "3"}
SESSION = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
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
_LEADING_INDEX_COLUMNS = """
SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indrelid = %s::regclass AND i.indpred IS NULL"""
_TABLES = """
SELECT table_schema, table_name FROM information_schema.tables
WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"""

# SQLSTATE classes and codes -> what the caller can do about them
_UNAVAILABLE = ("08", "53", "57P", "40001", "40P01", "55P03", "57014", "58")
_DENIED = ("28", "42501")
_MISSING = ("42P01", "42703", "3F000", "3D000", "42704")
# libpq reports failures before a session exists without a SQLSTATE: recognise their text.
_CONNECT_TEXTS = {
    "password authentication failed": "28P01",
    "no pg_hba.conf entry": "28000",
    "does not exist": "28000",
    "permission denied": "42501",
}


class _Stopped(Exception):
    """The consumer of a threaded read stopped early."""


class _NoAsyncpg(Exception):
    """asyncpg could not open a connection (the cause is chained); read through libpq instead."""


def _has_asyncpg() -> bool:
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return False
    return True


def psycopg_client_query(conn: Any, sql: str, params: Sequence[Any]) -> str:
    """``sql`` with its parameters as typed literals (psycopg's quoting), for a driver that gets none."""
    import psycopg

    if not params:
        return sql
    return psycopg.ClientCursor(conn).mogrify(sql, params)


class PostgresConnector(SqlConnector):
    dialect = Dialect(name="postgresql", fast_path="COPY (SELECT ...) TO STDOUT")
    types = TYPES
    reports_max = True

    def connect(self) -> None:
        import psycopg

        with self.boundary("connecting"):
            self.conn = psycopg.connect(
                self.url,
                options=SESSION,
                connect_timeout=int(self.options.get("connect_timeout", 10)),
                application_name="syncagent",
                client_encoding="utf8",
            )
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
            return SourceAccessDenied(
                where,
                hint="check the user and password in the source URL and "
                "that the user has SELECT on the dataset's tables",
            )
        if state.startswith(_MISSING):
            return SourceObjectMissing(
                where,
                hint="check the dataset's table and column names "
                "(`syncagent check` lists what the user can read)",
            )
        if state.startswith(_UNAVAILABLE) or (
            isinstance(exc, psycopg.OperationalError) and not state
        ):
            return SourceUnavailable(
                where,
                hint="check that the server is running and reachable at "
                "the URL's host and port; the next run retries",
            )
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
                    rows = self.conn.execute(
                        _TABLE_COLUMNS, [table_ref(request.table, self.dialect)]
                    )
                    return [
                        Column(n, self.types.get(base, P.TEXT), nullable, native)
                        for n, base, native, nullable in rows
                    ]
                cur = self.conn.execute(
                    f"SELECT * FROM ({check_select(request.query or '')}) AS q LIMIT 0"
                )
                desc = [(d.name, d.type_code) for d in cur.description or []]
                names = {
                    oid: (base, native)
                    for oid, base, native in self.conn.execute(
                        _TYPE_NAMES, [[oid for _, oid in desc]]
                    )
                }
                return [
                    Column(n, self.types.get(names[oid][0], P.TEXT), True, names[oid][1])
                    for n, oid in desc
                ]
            finally:
                self.conn.rollback()

    def primary_key(self, table: str) -> list[str]:
        with self.boundary(f"reading the primary key of {table}"):
            rows = self.conn.execute(_PRIMARY_KEY, [table_ref(table, self.dialect)]).fetchall()
            self.conn.rollback()
        return [r[0] for r in rows]

    def leading_index_columns(self, table: str) -> set[str]:
        with self.boundary(f"reading the indexes of {table}"):
            rows = self.conn.execute(
                _LEADING_INDEX_COLUMNS, [table_ref(table, self.dialect)]
            ).fetchall()
            self.conn.rollback()
        return {r[0] for r in rows}

    def read(self, request: ReadRequest) -> Iterator[bytes]:
        """The COPY, read by a thread one chunk ahead of the caller (compression overlaps it).

        With asyncpg installed (the agent's dependencies) the COPY runs on
        its own asyncpg connection: asyncpg hands over whole network reads of
        rows, where libpq (psycopg) costs one call per row — about a third of
        the CPU. Both give the server's COPY text byte for byte (same session
        settings, same statement). ``copy_driver = "psycopg"`` in the source
        options forces the libpq path.
        """
        selected, cursor = self.plan(request)
        sql, params = build_select(self.dialect, request, selected, cursor)
        self.read_max = None
        # the maximum is read after the COPY in the same REPEATABLE READ transaction: same rows
        max_sql = (
            f"SELECT max(q.{quote_ident(request.max_of, self.dialect.quote)})::text FROM ({sql}) AS q"
            if request.max_of is not None
            else None
        )
        if self.options.get("copy_driver", "asyncpg") == "asyncpg" and _has_asyncpg():
            with self.boundary(f"reading {request.label}"):
                query = psycopg_client_query(self.conn, sql, params)
                max_query = psycopg_client_query(self.conn, max_sql, params) if max_sql else None
            try:
                yield from produce(
                    partial(self._asyncpg_copy, query, max_query, request.batch_rows, request.label)
                )
                return
            except _NoAsyncpg as exc:  # nothing was read yet: the libpq path below reads it all
                log.info(
                    "asyncpg could not connect (%s); reading %s through libpq",
                    exc.__cause__,
                    request.label,
                )

        def chunks() -> Iterator[bytes]:
            with self.boundary(f"reading {request.label}"):
                try:
                    with self.conn.cursor() as cur:
                        if max_sql:
                            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                        with cur.copy(f"COPY ({sql}) TO STDOUT", params):
                            yield from self._copy_chunks(request.batch_rows)
                        if max_sql:
                            self.read_max = cur.execute(max_sql, params).fetchone()[0]
                finally:
                    self.conn.rollback()

        yield from prefetch(chunks())

    def _copy_chunks(self, batch_rows: int) -> Iterator[bytes]:
        """About ``batch_rows`` COPY rows per chunk, with as little Python per row as libpq allows.

        PostgreSQL sends one CopyData message per row, and ``Copy.read()``
        costs a few generator and wait calls per row. Here rows are drained
        from libpq's input buffer with ``PQgetCopyData`` (non-blocking) in a
        two-line loop; only when the buffer runs dry is the batch size
        checked, the socket waited on (``select``) and more input read. The
        end of the COPY is finished here (final result, error); the caller's
        ``cursor.copy()`` block stays open, so leaving early cancels the COPY.
        """
        import select

        import psycopg

        pgconn = self.conn.pgconn
        get, consume, fd = pgconn.get_copy_data, pgconn.consume_input, pgconn.socket
        held: list[Any] = []
        add = held.append
        while True:
            n, data = get(1)
            while n > 0:
                add(data)
                n, data = get(1)
            if n != 0:
                break
            while len(held) >= batch_rows:
                yield b"".join(held[:batch_rows])
                del held[:batch_rows]
            select.select([fd], [], [])
            consume()
        if n == -2:
            raise psycopg.OperationalError(pgconn.error_message.decode(errors="replace"))
        self._finish_copy(pgconn)
        for i in range(0, len(held), batch_rows):
            yield b"".join(held[i : i + batch_rows])

    def _asyncpg_copy(
        self,
        query: str,
        max_query: Optional[str],
        batch_rows: int,
        label: str,
        emit: Callable[[bytes], bool],
    ) -> None:
        """Run in a thread: one READ ONLY COPY on an asyncpg connection, chunks of whole lines to ``emit``;
        then ``max_query`` in the same snapshot into ``read_max``, before the last chunk goes out."""
        import asyncio

        import asyncpg

        rows = Batcher(batch_rows, emit)

        async def sink(data: bytes) -> None:
            if not rows.add(data):
                raise _Stopped  # the caller went away: asyncpg cancels the COPY

        async def main() -> None:
            try:
                conn = await asyncpg.connect(
                    self.url,
                    timeout=float(self.options.get("connect_timeout", 10)),
                    server_settings={**SETTINGS, "application_name": "syncagent"},
                    statement_cache_size=0,
                )
            except (
                Exception
            ) as exc:  # e.g. a URL option only libpq knows; psycopg connected with it
                raise _NoAsyncpg() from exc
            try:
                async with conn.transaction(
                    readonly=True, isolation="repeatable_read" if max_query else None
                ):
                    await conn.copy_from_query(query, output=sink, format="text")
                    if max_query:
                        self.read_max = await conn.fetchval(max_query)
            finally:
                await conn.close(timeout=5)

        stopped: Exception | None = None
        with self.boundary(f"reading {label}"):
            try:
                asyncio.run(main())
            except (_Stopped, _NoAsyncpg) as exc:
                stopped = exc
        if isinstance(stopped, _NoAsyncpg):
            raise stopped
        if stopped is None:
            rows.flush()

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
