"""Any other database SQLAlchemy can reach — labelled untested (``Dialect.tested=False``).

Types come from SQLAlchemy's reflected generic types; rows are streamed
(``stream_results``) and encoded in Python. `syncagent check` shows the
label so a reseller knows no conformance run stands behind this path.
"""

from __future__ import annotations

from typing import Any, Iterator

from connectors.base import Dialect, ReadRequest
from connectors.sql import LineEncoder, SqlConnector, build_select, check_select, table_ref
from shared.errors import SourceObjectMissing, SourceUnavailable, SyncHubError
from shared.types import Column, PortableType

P = PortableType
# SQLAlchemy generic type class name -> portable type, most specific first (data, not code)
GENERIC_TYPES: list[tuple[str, PortableType]] = [
    ("Boolean", P.BOOLEAN),
    ("Integer", P.INTEGER),
    ("Float", P.FLOAT),
    ("Numeric", P.DECIMAL),
    ("JSON", P.JSON),
    ("LargeBinary", P.BINARY),
    ("_Binary", P.BINARY),
    ("DateTime", P.TIMESTAMP),
    ("Date", P.DATE),
    ("Time", P.TIME),
    ("String", P.TEXT),
]


def portable(sqltype: Any) -> PortableType:
    names = {k.__name__ for k in type(sqltype).__mro__}
    for name, ptype in GENERIC_TYPES:
        if name in names:
            if ptype is P.TIMESTAMP and getattr(sqltype, "timezone", False):
                return P.TIMESTAMPTZ
            return ptype
    return P.TEXT


class GenericConnector(SqlConnector):
    dialect = Dialect(name="generic", tested=False, placeholder=":cursor")
    lenient = True
    engine: Any = None

    def connect(self) -> None:
        from sqlalchemy import create_engine

        with self.boundary("connecting"):
            self.engine = create_engine(self.url)
            self.conn = self.engine.connect()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.engine.dispose()
            self.conn = None

    def translate_error(self, exc: BaseException, doing: str) -> SyncHubError:
        from sqlalchemy import exc as sa

        if isinstance(exc, (sa.NoSuchTableError, sa.NoSuchColumnError)):
            return SourceObjectMissing(
                f"{doing}: {exc} does not exist", hint="check the dataset's names"
            )
        if isinstance(exc, sa.OperationalError) and getattr(exc, "connection_invalidated", False):
            return SourceUnavailable(f"{doing}: {exc}", hint="the next run retries")
        return super().translate_error(exc, doing)

    def list_tables(self) -> list[str]:
        from sqlalchemy import inspect

        with self.boundary("listing tables"):
            insp = inspect(self.conn)
            return sorted(insp.get_table_names() + insp.get_view_names())

    def native_columns(self, request: ReadRequest) -> list[Column]:
        from sqlalchemy import inspect, text

        with self.boundary(f"describing {request.label}"):
            if request.query is not None:
                res = self.conn.execute(
                    text(f"SELECT * FROM ({check_select(request.query)}) AS q WHERE 1=0")
                )
                names = list(res.keys())
                return [Column(n, P.TEXT, True, "") for n in names]
            schema, _, name = (request.table or "").rpartition(".")
            cols = inspect(self.conn).get_columns(name, schema=schema or None)
            return [
                Column(
                    c["name"], portable(c["type"]), bool(c.get("nullable", True)), str(c["type"])
                )
                for c in cols
            ]

    def primary_key(self, table: str) -> list[str]:
        from sqlalchemy import inspect

        schema, _, name = table.rpartition(".")
        with self.boundary(f"reading the primary key of {table}"):
            return list(
                inspect(self.conn)
                .get_pk_constraint(name, schema=schema or None)
                .get("constrained_columns")
                or []
            )

    def leading_index_columns(self, table: str) -> set[str]:
        from sqlalchemy import inspect

        schema, _, name = table.rpartition(".")
        with self.boundary(f"reading the indexes of {table}"):
            found = inspect(self.conn)
            firsts = [
                ix["column_names"][0]
                for ix in found.get_indexes(name, schema=schema or None)
                if ix.get("column_names") and ix["column_names"][0] is not None
            ]
        return set(firsts) | set(self.primary_key(table)[:1])

    def read(self, request: ReadRequest) -> Iterator[bytes]:
        from sqlalchemy import text

        selected, cursor = self.plan(request)
        quoter = self.engine.dialect.identifier_preparer
        dialect = Dialect(name="generic", quote=quoter.initial_quote, placeholder=":cursor")
        sql, params = build_select(dialect, request, selected, cursor)
        encode = LineEncoder(selected, self.warnings, lenient=True)
        with self.boundary(f"reading {request.label}"):
            result = self.conn.execution_options(
                stream_results=True, yield_per=request.batch_rows
            ).execute(text(sql), {"cursor": params[0]} if params else {})
            for rows in result.partitions(request.batch_rows):
                yield "".join([encode(r) for r in rows]).encode("utf-8")
            self.conn.rollback()


__all__ = ["GenericConnector", "table_ref"]
