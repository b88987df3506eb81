"""Reading the merged store: current rows, rows as of a moment, one record's history.

Values come back as Python values (``Decimal`` for decimals, aware datetimes
for ``timestamptz``…) decoded with :mod:`shared.types` by the dataset's newest
column types — a widened type reads its older values too. Filters are
``{column: value-as-text}``, compared on canonical text, so ``price=5.0``
matches a stored ``5.0`` exactly (decimal scale is part of the value).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from hub.core.db import UTCDateTime
from hub.merge import dialect, store
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


def _decoder(session: Session, reseller_id: str, dataset: str, state: SchemaState):
    latest = store.latest_schema(session, reseller_id, dataset) or state
    types = [(latest.column(c.name) or c).type for c in state.columns]
    positions = [state.layout.index(c.name) for c in state.columns]

    def decode(raw: str) -> Row:
        vals = json.loads(raw)
        return tuple(
            decode_value(t, vals[p] if p < len(vals) else None) for t, p in zip(types, positions)
        )

    return decode


# Current versions are in the partial index ``valid_to IS NULL``, closed ones in the partial index
# ``valid_to IS NOT NULL`` (merge_0005): every query names its half so the planner can use that index.
CURRENT, CLOSED = "valid_to IS NULL", "valid_to IS NOT NULL"


def _halves(at: dt.datetime | None) -> list[str]:
    """The time condition per half: current rows only, or both halves as of ``at``."""
    if at is None:
        return [CURRENT]
    return [
        f"{CURRENT} AND valid_from <= :at",
        f"{CLOSED} AND valid_from <= :at AND valid_to > :at",
    ]


def _select(columns: str, halves: list[str], where: str) -> str:
    """SELECT ``columns`` of one dataset's versions per half (UNION ALL), with the extra ``where``."""
    return " UNION ALL ".join(
        f"SELECT {columns} FROM record_versions WHERE reseller_id = :r AND dataset = :d AND {half}{where}"
        for half in halves
    )


def _where(
    session: Session, state: SchemaState, filters: Mapping[str, str] | None
) -> tuple[str, dict[str, Any]]:
    """`` AND …`` for the value filters (empty without), and their parameters."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
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
        clauses.append(
            f"{dialect.json_element(session, 'row_values', state.layout.index(name))} = :f{i}"
        )
        params[f"f{i}"] = canonical
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
    where, params = _where(session, state, filters)
    params.update(
        r=reseller_id, d=dataset, at=at, lim=limit if limit is not None else -1, off=offset
    )
    page = " LIMIT :lim OFFSET :off" if limit is not None or offset else ""
    if page and limit is None and dialect.name(session) == "postgresql":
        page = " OFFSET :off"
    halves = _halves(at)
    if len(halves) == 1:
        sql = f"{_select('row_values', halves, where)} ORDER BY row_key{page}"
    else:  # PostgreSQL merges the two index-ordered halves (Merge Append): a page reads only its rows
        sql = f"SELECT row_values FROM ({_select('row_key, row_values', halves, where)}) v ORDER BY row_key{page}"
    decode = _decoder(session, reseller_id, dataset, state)
    result = session.execute(_statement(sql, at), params).scalars()
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
    where, params = _where(session, state, filters)
    params.update(r=reseller_id, d=dataset, at=at)
    sql = f"SELECT count(*) FROM ({_select('id', _halves(at), where)}) v"
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
    state = _schema(session, reseller_id, dataset, None)
    decode = _decoder(session, reseller_id, dataset, state)
    rows = session.execute(
        text(
            f"SELECT valid_from, valid_to, snapshot_id, received_at, row_values FROM "
            f"({_select('id, valid_from, valid_to, snapshot_id, received_at, row_values', [CURRENT, CLOSED], ' AND row_key = :k')}) v "
            "ORDER BY valid_from, id"
        ).columns(valid_from=UTCDateTime(), valid_to=UTCDateTime(), received_at=UTCDateTime()),
        {"r": reseller_id, "d": dataset, "k": key},
    ).all()
    return list(state.columns), [Version(r[0], r[1], r[2], r[3], decode(r[4])) for r in rows]
