"""Hot-path statements run straight on the database driver (psycopg), in the caller's transaction.

SQLAlchemy's per-call execution machinery (parameter construction, execution
context, result metadata) costs about 100 µs of CPU per statement here, most of
an order placement's database work (``bench/orders_cost.py``). A statement
wrapped in :class:`Direct` is compiled once; on PostgreSQL it then goes to the
session's own psycopg connection (same transaction, prepared on the server at
its first use) with the bind and result processors of its types — the same
values in and out as through SQLAlchemy — and its rows come back as named
tuples. Errors are re-raised as SQLAlchemy's classes (``IntegrityError``...),
so callers catch what they always caught; ``before/after_cursor_execute``
listeners still see the statement, with no execution context (``echo`` logging
does not see it). Other dialects
(SQLite) run the statement the ordinary way.

:class:`OneOf` is the list parameter such statements use: ``= ANY(array)`` on
PostgreSQL, one prepared statement for every list length.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence, cast

from sqlalchemy import Boolean, Connection, bindparam, exc
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ClauseElement, ColumnElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

Processor = Optional[Callable[[Any], Any]]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]  # values bound in the statement itself (literals)
    processors: dict[str, Callable[[Any], Any]]  # bind processors, by parameter name


class Direct:
    """A statement of the hot path: :meth:`rows` or :meth:`write` run it (see the module docstring).

    Build it once (module level or cached): it keeps its compiled form.
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: Optional[_Compiled] = None
        self._row: Optional[type[Any]] = None  # set at the first fetch, with the result processors
        self._results: list[Processor] = []

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Any]:
        """Run with ``params``; its rows (columns as attributes)."""
        if conn.dialect.driver != "psycopg":
            return conn.execute(self.statement, dict(params)).all()
        return self._run(conn, params, fetch=True)  # type: ignore[return-value]

    def write(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run a statement whose rows are not wanted; how many rows it wrote."""
        if conn.dialect.driver != "psycopg":
            return int(conn.execute(self.statement, dict(params)).rowcount)
        return self._run(conn, params, fetch=False)  # type: ignore[return-value]

    def _run(
        self, conn: Connection, params: Mapping[str, Any], *, fetch: bool
    ) -> Sequence[Any] | int:
        compiled = self._compiled or self._compile(conn)
        values = {**compiled.defaults, **params}
        for name, process in compiled.processors.items():
            values[name] = process(values[name])
        if not conn.in_transaction():
            conn.begin()  # as SQLAlchemy's autobegin would: the caller commits or rolls back
        raw = conn.connection.driver_connection
        events = conn.dispatch
        try:
            with raw.cursor() as cursor:  # type: ignore[union-attr]
                if events.before_cursor_execute:
                    events.before_cursor_execute(conn, cursor, compiled.sql, values, None, False)
                cursor.execute(compiled.sql, values, prepare=True)
                if events.after_cursor_execute:
                    events.after_cursor_execute(conn, cursor, compiled.sql, values, None, False)
                if not fetch:
                    return int(cursor.rowcount)
                rows = cursor.fetchall()
                if self._row is None:
                    self._row, self._results = self._row_shape(conn, cursor.description or ())
        except raw.Error as error:  # type: ignore[union-attr]
            invalidated = conn.dialect.is_disconnect(error, raw, None)
            if invalidated:
                conn.invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql,
                values,
                error,
                type(raw).Error,  # type: ignore[union-attr]
                connection_invalidated=invalidated,
                dialect=conn.dialect,
            ) from error
        make, processors = self._row._make, self._results
        if not any(processors):
            return [make(row) for row in rows]
        return [make([v if p is None else p(v) for p, v in zip(processors, row)]) for row in rows]

    def _compile(self, conn: Connection) -> _Compiled:
        dialect = conn.dialect
        compiled = cast(SQLCompiler, cast(ClauseElement, self.statement).compile(dialect=dialect))
        defaults: dict[str, Any] = {}
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
            if not bind.required and bind.value is not None:
                defaults[name] = bind.value
        self._compiled = _Compiled(compiled.string, defaults, processors)
        return self._compiled

    def _row_shape(
        self, conn: Connection, description: Sequence[Any]
    ) -> tuple[type[Any], list[Processor]]:
        """The rows' named tuple and the selected columns' result processors, picked as SQLAlchemy
        picks them (by the type the driver reports); a textual statement's columns have none."""
        dialect = conn.dialect
        columns = list(getattr(self.statement, "selected_columns", ()))
        columns += [None] * (len(description) - len(columns))
        processors = [
            None
            if column is None
            else column.type.dialect_impl(dialect).result_processor(dialect, d.type_code)
            for column, d in zip(columns, description)
        ]
        return namedtuple("Row", [d.name for d in description], rename=True), processors


class OneOf(ColumnElement[bool]):
    """``column IN (:name)`` for a list parameter: ``column = ANY(:name)`` with one array on
    PostgreSQL (one prepared statement for any list length, no rewrite per call), an
    expanding IN elsewhere. An empty list matches nothing."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no "= 1" where booleans are integers
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column, self.name = column, name


@compiles(OneOf)
def _one_of(element: OneOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _one_of_pg(element: OneOf, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(bindparam(element.name), **kw)})"
