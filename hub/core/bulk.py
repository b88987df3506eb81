"""A few rows in ONE statement on the hot paths: a JSON record set on PostgreSQL.

psycopg runs ``executemany`` in pipeline mode, and dumps Python lists as arrays in
Python: for the two or three rows an order writes (its lines, audit entries and
stock levels) either costs more interpreter time than the statements themselves
(a quarter of the order path's Python, measured with py-spy; docs/orders.md,
"Benchmark"). On PostgreSQL the rows travel instead as ONE JSON text, encoded by
the C encoder of :mod:`json` and typed by the table itself
(``json_populate_recordset(NULL::table, …)``): one parameter, one statement built
once per table and column set, one round trip. SQLite's ``executemany`` is a loop
in C: kept.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from typing import Any, Mapping, Sequence

from sqlalchemy import Column, Connection, Table, TextClause, bindparam, insert, text, update
from sqlalchemy.dialects import postgresql

Rows = Sequence[Mapping[str, Any]]


def _exact(value: Any) -> str:
    """Decimals as their digits (never a float), times in ISO 8601 with their offset."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be written as a JSON record: {value!r}")


def rows_json(rows: Rows) -> str:
    """The rows as the JSON text :func:`recordset_sql` reads (column name -> value)."""
    return json.dumps(list(rows), default=_exact, separators=(",", ":"))


def pg_type(column: Column[Any]) -> str:
    """The column's type as PostgreSQL spells it (for a CAST in a hand-written statement)."""
    return str(column.type.compile(dialect=postgresql.dialect()))


def recordset_sql(table: Table, param: str) -> str:
    """``json_populate_recordset(NULL::<table>, CAST(:<param> AS json))``: the rows of a JSON text
    parameter as records of ``table``, each value converted by its column's type (a too-long
    text is refused by the insert, not cut)."""
    return f"json_populate_recordset(NULL::{table.name}, CAST(:{param} AS json))"


@cache
def _pg_insert(table: Table, columns: tuple[str, ...]) -> TextClause:
    names = ", ".join(columns)
    return text(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {recordset_sql(table, 'rows')}"
    )


@cache
def _pg_update(table: Table, key: str, columns: tuple[str, ...]) -> TextClause:
    sets = ", ".join(f"{c} = v.{c}" for c in columns if c != key)
    return text(
        f"UPDATE {table.name} SET {sets} FROM {recordset_sql(table, 'rows')} AS v "
        f"WHERE {table.name}.{key} = v.{key}"
    )


@cache
def _keyed_update(table: Table, key: str, columns: tuple[str, ...]) -> Any:
    return (
        update(table)
        .where(table.c[key] == bindparam(f"v_{key}"))
        .values({c: bindparam(f"v_{c}") for c in columns if c != key})
    )


def insert_rows(conn: Connection, table: Table, rows: Rows) -> None:
    """Insert ``rows`` (dicts with the same keys) in one statement."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(_pg_insert(table, tuple(rows[0])), {"rows": rows_json(rows)})
    else:
        conn.execute(insert(table), list(rows))


def update_rows(conn: Connection, table: Table, key: str, rows: Rows) -> None:
    """Set the other columns of each row found by ``key`` (dicts with the same keys), in one statement."""
    if not rows:
        return
    columns = tuple(rows[0])
    if conn.dialect.name == "postgresql":
        conn.execute(_pg_update(table, key, columns), {"rows": rows_json(rows)})
    else:
        conn.execute(
            _keyed_update(table, key, columns),
            [{f"v_{c}": row[c] for c in columns} for row in rows],
        )
