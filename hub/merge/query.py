"""Reading the merged store: current rows, rows as of a moment, one record's history.

Values come back as Python values (``Decimal`` for decimals, aware datetimes
for ``timestamptz``…) decoded with :mod:`shared.types` by the dataset's newest
column types — a widened type reads its older values too. Filters are
``{column: value-as-text}``, compared on canonical text, so ``price=5.0``
matches a stored ``5.0`` exactly (decimal scale is part of the value).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from hub.core.db import UTCDateTime
from hub.merge import dialect, store, tables
from hub.merge.errors import DatasetNotFound
from hub.merge.schema import SchemaState
from shared.copytext import format_line
from shared.errors import DataError
from shared.types import Column, decode_value, encode_value

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Version:
    """One version of one record: its values and when / whence it was seen."""

    valid_from: dt.datetime
    valid_to: dt.datetime | None
    snapshot_id: int
    received_at: dt.datetime
    values: Row


def _schema(
    session: Session, reseller_id: str, dataset: str, at: dt.datetime | None
) -> SchemaState:
    state = (
        store.latest_schema(session, reseller_id, dataset)
        if at is None
        else store.schema_at(session, reseller_id, dataset, at)
    )
    if state is None:
        raise DatasetNotFound(
            "reseller {reseller_id} has no merged dataset {dataset}",
            hint="list the reseller's datasets (GET …/datasets or `synchub data datasets RESELLER`)",
            reseller_id=reseller_id,
            dataset=dataset,
        )
    return state


def _reader(
    session: Session, reseller_id: str, dataset: str, state: SchemaState
) -> tuple[str, Callable[[Sequence[str | None]], Row]]:
    """The stored fields of ``state``'s columns as a select list, and how to decode a row of them.

    Values are decoded by the column's *newest* type: a widened type reads its older values too.
    """
    latest = store.latest_schema(session, reseller_id, dataset) or state
    types = [(latest.column(c.name) or c).type for c in state.columns]
    select = ", ".join(tables.field(state.layout.index(c.name)) for c in state.columns) or "k"

    def decode(raw: Sequence[str | None]) -> Row:
        return tuple(decode_value(t, v) for t, v in zip(types, raw))

    return select, decode


def _select(names: tables.Tables, columns: str, at: dt.datetime | None, where: str) -> str:
    """SELECT ``columns`` of the current rows, or of every version valid at ``:at`` (UNION ALL)."""
    if at is None:
        return f"SELECT {columns} FROM {names.current} WHERE 1 = 1{where}"
    return (
        f"SELECT {columns} FROM {names.current} WHERE valid_from <= :at{where} UNION ALL "
        f"SELECT {columns} FROM {names.history} WHERE valid_from <= :at AND valid_to > :at{where}"
    )


def _where(state: SchemaState, filters: Mapping[str, str] | None) -> tuple[str, dict[str, Any]]:
    """`` AND …`` for the value filters (empty without), and their parameters."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    canonicals: dict[str, str | None] = {}
    for i, (name, value) in enumerate((filters or {}).items()):
        col = state.column(name)
        if col is None:
            raise DataError(
                "cannot filter on {column}: the dataset has no such column",
                hint="columns are: {columns}",
                column=name,
                columns=", ".join(c.name for c in state.columns),
            )
        try:
            canonical = encode_value(col.type, decode_value(col.type, value))
        except (ValueError, ArithmeticError) as e:
            raise DataError(
                "filter {column}={value} is not a valid {type}: {reason}",
                column=name,
                value=repr(value),
                type=col.type.value,
                reason=e,
            ) from None
        clauses.append(f"{tables.field(state.layout.index(name))} = :f{i}")
        params[f"f{i}"] = canonical
        canonicals[name] = canonical
    if state.key and all(k in canonicals for k in state.key):  # one record: found by its key
        clauses.append("k = :kline")
        params["kline"] = format_line([canonicals[k] for k in state.key])[:-1]
    return "".join(f" AND {c}" for c in clauses), params


def _statement(sql: str, at: dt.datetime | None) -> Any:
    stmt = text(sql)
    return stmt.bindparams(bindparam("at", type_=UTCDateTime())) if at is not None else stmt


def iter_rows(
    session: Session,
    reseller_id: str,
    dataset: str,
    *,
    at: dt.datetime | None = None,
    filters: Mapping[str, str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Column], Iterator[Row]]:
    """Columns and a row iterator (current rows, or those valid at ``at``), ordered by key."""
    state = _schema(session, reseller_id, dataset, at)
    names = tables.of(reseller_id, dataset)
    where, params = _where(state, filters)
    params.update(at=at, lim=limit if limit is not None else -1, off=offset)
    page = " LIMIT :lim OFFSET :off" if limit is not None or offset else ""
    if page and limit is None and dialect.name(session) == "postgresql":
        page = " OFFSET :off"
    fields, decode = _reader(session, reseller_id, dataset, state)
    if at is None:  # the current table's key index gives the order
        sql = f"{_select(names, fields, at, where)} ORDER BY k{page}"
    else:  # PostgreSQL merges the two key-ordered halves (Merge Append): a page reads only its rows
        sql = (
            f"SELECT {fields} FROM ({_select(names, f'k, {fields}', at, where)}) v ORDER BY k{page}"
        )
    result = session.execute(_statement(sql, at), params)
    return list(state.columns), (decode(raw) for raw in result)


def count_rows(
    session: Session,
    reseller_id: str,
    dataset: str,
    *,
    at: dt.datetime | None = None,
    filters: Mapping[str, str] | None = None,
) -> int:
    state = _schema(session, reseller_id, dataset, at)
    where, params = _where(state, filters)
    params.update(at=at)
    sql = f"SELECT count(*) FROM ({_select(tables.of(reseller_id, dataset), 'k', at, where)}) v"
    return int(session.execute(_statement(sql, at), params).scalar_one())


def current_rows(
    session: Session,
    reseller_id: str,
    dataset: str,
    *,
    filters: Mapping[str, str] | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> tuple[list[Column], list[Row]]:
    columns, rows = iter_rows(
        session, reseller_id, dataset, filters=filters, limit=limit, offset=offset
    )
    return columns, list(rows)


def rows_as_of(
    session: Session,
    reseller_id: str,
    dataset: str,
    at: dt.datetime,
    *,
    filters: Mapping[str, str] | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> tuple[list[Column], list[Row]]:
    """Rows as the source had them at ``at`` (source time: the snapshots' created_at)."""
    if at.tzinfo is None:
        raise DataError(
            "as-of time {at} has no time zone",
            at=at.isoformat(),
            hint="give it in UTC, e.g. 2024-03-03T00:00:00Z",
        )
    columns, rows = iter_rows(
        session, reseller_id, dataset, at=at, filters=filters, limit=limit, offset=offset
    )
    return columns, list(rows)


def key_line(columns: list[Column], key: list[str], values: Mapping[str, Any]) -> str:
    """The stored key text for Python key values (e.g. ``{"ProductID": 7}`` → ``"7"``)."""
    by_name = {c.name: c for c in columns}
    return format_line([encode_value(by_name[k].type, values[k]) for k in key])[:-1]


def record_history(
    session: Session, reseller_id: str, dataset: str, key: str
) -> tuple[list[Column], list[Version]]:
    """Every version of the record whose key line is ``key``, oldest first."""
    columns, versions = _versions(session, reseller_id, dataset, key)
    return columns, [v for _, v in versions]


def every_version(
    session: Session, reseller_id: str, dataset: str
) -> tuple[list[Column], list[tuple[str, Version]]]:
    """(key line, version) of every version the hub keeps of the dataset, by key, oldest first."""
    return _versions(session, reseller_id, dataset, None)


def _versions(
    session: Session, reseller_id: str, dataset: str, key: str | None
) -> tuple[list[Column], list[tuple[str, Version]]]:
    state = _schema(session, reseller_id, dataset, None)
    names = tables.of(reseller_id, dataset)
    fields, decode = _reader(session, reseller_id, dataset, state)
    where = " WHERE k = :k" if key is not None else ""
    rows = session.execute(
        text(
            f"SELECT k, valid_from, valid_to, snapshot_id, received_at, 0 AS part, {fields} "
            f"FROM {names.history}{where} UNION ALL "
            f"SELECT k, valid_from, NULL, snapshot_id, received_at, 1, {fields} "
            f"FROM {names.current}{where} ORDER BY 1, 2, 6, 3"
        ).columns(valid_from=UTCDateTime(), valid_to=UTCDateTime(), received_at=UTCDateTime()),
        {"k": key},
    ).all()
    width = len(state.columns)
    return list(state.columns), [
        (r[0], Version(r[1], r[2], r[3], r[4], decode(r[6 : 6 + width]))) for r in rows
    ]
