"""What every SQL connector shares: quoting, SELECT building, type lookup, row encoding.

A platform module states its facts (a :class:`~connectors.base.Dialect`, a
native-type table) and the few methods that differ; this module builds the
one statement a read runs::

    SELECT <columns> FROM <table | (query) AS q> [WHERE <cursor> >= ?] [ORDER BY <cursor>]

Only SELECT statements are ever sent: a configured query must itself be a
single SELECT (or WITH ... SELECT), which is wrapped as a subquery.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
from typing import (
    Any,
    Callable,
    ClassVar,
    Generator,
    Iterator,
    Mapping,
    Optional,
    Sequence,
    TypeVar,
)

from connectors.base import Connector, Dialect, ReadRequest, ReadWarnings
from connectors.values import coerce
from shared.copytext import format_line
from shared.errors import ConfigError, SourceObjectMissing
from shared.types import ENCODERS, Column, PortableType, decode_value

T = TypeVar("T")
_END = object()
SWITCH_INTERVAL = 0.0005  # seconds; see prefetch
_LEADING_COMMENTS = re.compile(r"\A(\s+|--[^\n]*\n?|/\*.*?\*/)*", re.DOTALL)


def quote_ident(name: str, quote: str = '"') -> str:
    """One identifier, quoted, with the quote character doubled inside."""
    return quote + name.replace(quote, quote * 2) + quote


def table_ref(name: str, dialect: Dialect) -> str:
    """``schema.table`` or ``table``, quoted (where schemas exist, a dotted table name needs its schema)."""
    parts = name.split(".", 1) if dialect.schemas else [name]
    return ".".join(quote_ident(part, dialect.quote) for part in parts)


def check_select(query: str) -> str:
    """The query if it is one SELECT (or WITH); ConfigError otherwise."""
    body = _LEADING_COMMENTS.sub("", query).strip().rstrip(";").strip()
    first = body.split(None, 1)[0].upper() if body else ""
    if first not in ("SELECT", "WITH") or ";" in body:
        raise ConfigError(
            [("query", "must be a single SELECT statement (or WITH ... SELECT)")],
            hint="connectors only read: put the SELECT alone, without a trailing statement",
        )
    return body


def normalize_native(native: str) -> str:
    """Lower case, single spaces: ``'DECIMAL(38, 10) UNSIGNED'`` -> ``'decimal(38,10) unsigned'``."""
    return re.sub(r"\s*([(),])\s*", r"\1", " ".join(native.lower().split()))


def map_native(native: str, types: Mapping[str, PortableType]) -> PortableType:
    """Portable type of a native type name: full spelling first, then its base name, else TEXT.

    ``types`` is the platform's table (data, not code). Unknown types become
    TEXT; the caller records the native name in :attr:`Column.native`.
    """
    full = normalize_native(native)
    if full in types:
        return types[full]
    base = re.split(r"[( ]", full, maxsplit=1)[0]
    return types.get(base, PortableType.TEXT)


def pick_columns(available: Sequence[Column], request: ReadRequest) -> list[Column]:
    """The request's allow-list in its order (every column when None)."""
    if request.columns is None:
        return list(available)
    by_name = {c.name: c for c in available}
    missing = [n for n in request.columns if n not in by_name]
    if missing:
        raise SourceObjectMissing(
            f"{request.label}: no column named {', '.join(map(repr, missing))}",
            hint=f"the columns are: {', '.join(by_name)}",
            dataset=request.label,
            columns=missing,
        )
    return [by_name[n] for n in request.columns]


def cursor_of(available: Sequence[Column], request: ReadRequest) -> Optional[Column]:
    """The cursor column (it need not be in the allow-list)."""
    if not request.cursor_column:
        return None
    for c in available:
        if c.name == request.cursor_column:
            return c
    raise SourceObjectMissing(
        f"{request.label}: cursor column {request.cursor_column!r} does not exist",
        hint=f"the columns are: {', '.join(c.name for c in available)}",
        dataset=request.label,
        column=request.cursor_column,
    )


def cursor_value(column: Column, text: str) -> Any:
    """The driver parameter for a cursor's canonical text."""
    try:
        return decode_value(column.type, text)
    except (ValueError, ArithmeticError) as exc:
        raise ConfigError(
            [
                (
                    "cursor_from",
                    f"{text!r} is not a valid {column.type.value} "
                    f"for cursor column {column.name!r}: {exc}",
                )
            ]
        ) from None


def build_select(
    dialect: Dialect,
    request: ReadRequest,
    selected: Sequence[Column],
    cursor: Optional[Column],
    exprs: Optional[Sequence[str]] = None,
) -> tuple[str, list[Any]]:
    """The one SELECT a read runs, and its parameters.

    ``exprs`` replaces the plain column references (a platform may have the
    server format values); by default each selected column is quoted as is.
    """
    q = dialect.quote
    cols = (
        ", ".join(exprs)
        if exprs is not None
        else ", ".join(quote_ident(c.name, q) for c in selected)
    )
    source = (
        table_ref(request.table, dialect)
        if request.table is not None
        else f"({check_select(request.query or '')}) AS q"
    )
    sql = f"SELECT {cols} FROM {source}"
    params: list[Any] = []
    if cursor is not None:
        ref = quote_ident(cursor.name, q)
        if request.cursor_from is not None:
            sql += f" WHERE {ref} >= {dialect.placeholder}"
            params.append(cursor_value(cursor, request.cursor_from))
        sql += f" ORDER BY {ref}"
    return sql, params


def _lenient(ptype: PortableType) -> Callable[[Any], str]:
    encode = ENCODERS[ptype]
    return lambda v: encode(coerce(ptype, v))


class LineEncoder:
    """Driver rows -> COPY lines; a value the column's type cannot hold -> NULL + warning."""

    def __init__(
        self, columns: Sequence[Column], warnings: ReadWarnings, lenient: bool = False
    ) -> None:
        self.columns = list(columns)
        self.warnings = warnings
        # lenient: values may need parsing first (SQLite's dynamic types, files)
        self._encoders: list[Callable[[Any], str]] = [
            _lenient(c.type) if lenient else ENCODERS[c.type] for c in self.columns
        ]

    def __call__(self, row: Sequence[Any]) -> str:
        fields: list[Optional[str]] = []
        for col, enc, v in zip(self.columns, self._encoders, row):
            if v is None:
                fields.append(None)
                continue
            try:
                fields.append(enc(v))
            except (ValueError, TypeError, ArithmeticError, AttributeError):
                self.warnings.add(col.name, f"not a valid {col.type.value}, read as NULL")
                fields.append(None)
        return format_line(fields)


def _put(q: queue.Queue[Any], stop: threading.Event, item: Any) -> bool:
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def prefetch(source: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """``source``'s items, produced by a thread up to ``depth`` items ahead.

    For reads that wait on the server page by page: the server computes the
    next page while the caller compresses this one (socket waits release the
    GIL). The source runs, and is closed, in the thread (its connection is
    used by that thread only until this generator ends). See :func:`produce`.
    """

    def run(emit: Callable[[T], bool]) -> None:
        try:
            for item in source:
                if not emit(item):
                    return
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    return produce(run, depth)


def produce(run: Callable[[Callable[[T], bool]], None], depth: int = 2) -> Generator[T, None, None]:
    """The items a thread running ``run(emit)`` hands to ``emit``, up to ``depth`` ahead.

    ``emit(item)`` blocks while the caller is ``depth`` items behind and
    returns False once the caller has stopped (``run`` should then return).
    Memory: ``depth`` + 1 items. ``run``'s exceptions are raised here. While
    it runs, the interpreter's switch interval is cut to 0.5 ms: else the
    reading thread, woken by its socket, waits up to 5 ms per wake-up for the
    busy caller to let it run (about 7 % of a MariaDB export).
    """
    q: queue.Queue[Any] = queue.Queue(depth)
    stop = threading.Event()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))

    def emit(item: T) -> bool:
        return _put(q, stop, (item, None))

    def work() -> None:
        try:
            run(emit)
        except BaseException as exc:  # handed to the consumer, raised there
            _put(q, stop, (_END, exc))
            return
        _put(q, stop, (_END, None))

    worker = threading.Thread(target=work, name="prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, exc = q.get()
            if item is _END:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        worker.join()
        sys.setswitchinterval(interval)


class SqlConnector(Connector):
    """A DB-API connector: subclasses give columns, a connection and the type table."""

    types: ClassVar[Mapping[str, PortableType]] = {}
    lenient: ClassVar[bool] = False  # values need coercion (dynamically typed sources)
    conn: Any = None

    def native_columns(self, request: ReadRequest) -> list[Column]:
        """Every column of the request's table or query (raise SourceObjectMissing)."""
        raise NotImplementedError

    def column(self, name: str, native: str, nullable: bool = True) -> Column:
        return Column(name, map_native(native, self.types), nullable, native)

    def plan(self, request: ReadRequest) -> tuple[list[Column], Optional[Column]]:
        """Selected columns and the cursor column, checked against the source."""
        if request.query is not None and not self.dialect.supports_query:
            raise ConfigError([("query", f"{self.dialect.name} datasets are tables, not queries")])
        if request.cursor_column and not self.dialect.supports_cursor:
            raise ConfigError(
                [
                    (
                        "cursor_column",
                        f"{self.dialect.name} cannot read incrementally: "
                        "drop cursor_column to export in full",
                    )
                ]
            )
        available = self.native_columns(request)
        return pick_columns(available, request), cursor_of(available, request)

    def describe(self, request: ReadRequest) -> list[Column]:
        return self.plan(request)[0]

    def open_cursor(self) -> Any:
        """A cursor that streams (does not fetch the whole result into memory)."""
        return self.conn.cursor()

    def read(self, request: ReadRequest) -> Iterator[bytes]:
        selected, cursor = self.plan(request)
        sql, params = build_select(self.dialect, request, selected, cursor)
        encode = LineEncoder(selected, self.warnings, lenient=self.lenient)
        with self.boundary(f"reading {request.label}"):
            cur = self.open_cursor()
            try:
                cur.execute(sql, params)
                while True:
                    rows = cur.fetchmany(request.batch_rows)
                    if not rows:
                        break
                    yield "".join([encode(r) for r in rows]).encode("utf-8")
            finally:
                cur.close()
