"""Each merged dataset's own two tables: its current rows, and the versions they superseded.

Per (reseller, dataset): ``ds_cur_<id>`` holds one row per current key — the
fields as canonical texts in columns ``c0…`` by the dataset's *layout* (every
column ever seen, in order of first appearance, so old versions stay readable
after columns are added or dropped), the key line ``k`` derived from them, and
when and whence the row came (``valid_from``, ``snapshot_id``,
``received_at``). ``ds_hist_<id>`` holds the versions that were superseded or
deleted, the same columns plus ``valid_to``. A version moves to history only
when a later snapshot changes or deletes its row, so a first load writes each
row once — straight from the snapshot's COPY into the current table on
PostgreSQL (:func:`hub.merge.service`), at the cost of a plain keyed copy.

``k`` is generated from the fields (COPY fills it with no second pass) and
escapes every key field as COPY text does, whatever its type, so a key column
widened to text keeps the same expression. On PostgreSQL it has collation "C":
keys are compared as bytes, as the merge has always compared them.

The names are derived from (reseller, dataset), so the readers need no
look-up; ``<id>`` is 16 hex digits of a SHA-256 (a collision among a hub's
datasets would need ~4 × 10⁹ of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

CURRENT_PREFIX, HISTORY_PREFIX = "ds_cur_", "ds_hist_"
PROVENANCE = ("valid_from", "snapshot_id", "received_at")

_ESCAPES = (
    (92, "\\\\"),
    (9, "\\t"),
    (10, "\\n"),
    (13, "\\r"),
    (8, "\\b"),
    (12, "\\f"),
    (11, "\\v"),
)


@dataclass(frozen=True)
class Tables:
    """The table names of one merged dataset."""

    current: str
    history: str


def of(reseller_id: str, dataset: str) -> Tables:
    ident = hashlib.sha256(f"{reseller_id}\x00{dataset}".encode()).hexdigest()[:16]
    return Tables(CURRENT_PREFIX + ident, HISTORY_PREFIX + ident)


def field(position: int) -> str:
    """The column holding layout position ``position``."""
    return f"c{position}"


def fields(width: int) -> list[str]:
    return [field(j) for j in range(width)]


def _db(conn: Connection | Session) -> str:
    return conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name


def char(dialect: str, code: int) -> str:
    return f"chr({code})" if dialect == "postgresql" else f"char({code})"


def escaped(dialect: str, expr: str) -> str:
    """SQL escaping a text as COPY text does (backslash first)."""
    for code, esc in _ESCAPES:
        expr = f"replace({expr}, {char(dialect, code)}, '{esc}')"
    return expr


def key_expression(dialect: str, columns: Sequence[str]) -> str:
    """SQL for the key line over the key ``columns`` (a COPY line without its newline)."""
    tab = char(dialect, 9)
    return f" || {tab} || ".join(f"COALESCE({escaped(dialect, c)}, '\\N')" for c in columns)


def _timestamp(dialect: str) -> str:
    return "timestamptz" if dialect == "postgresql" else "TIMESTAMP"


def _literal(moment: dt.datetime) -> str:
    return "'" + moment.astimezone(dt.timezone.utc).isoformat() + "'"


def create(
    conn: Connection | Session,
    tables: Tables,
    width: int,
    key_positions: Sequence[int],
    *,
    loaded: tuple[dt.datetime, int, dt.datetime] | None = None,
    keyed: bool = True,
) -> None:
    """Create both tables for a layout of ``width`` columns whose key is at ``key_positions``.

    ``loaded`` (PostgreSQL): the provenance a first load's rows take by default,
    so its COPY needs no column but the fields. ``keyed=False`` leaves the
    current table's key index to :func:`add_key`, built after the first load
    (a sort instead of a B-tree insert per row).
    """
    db = _db(conn)
    ts = _timestamp(db)
    key = key_expression(db, [field(p) for p in key_positions])
    collate = ' COLLATE "C"' if db == "postgresql" else ""
    cols = ", ".join(f"{c} text" for c in fields(width))
    if loaded is not None and db == "postgresql":
        at, sid, recv = loaded
        provenance = (
            f"valid_from {ts} NOT NULL DEFAULT {_literal(at)}, snapshot_id integer NOT NULL "
            f"DEFAULT {int(sid)}, received_at {ts} NOT NULL DEFAULT {_literal(recv)}"
        )
    else:
        provenance = (
            f"valid_from {ts} NOT NULL, snapshot_id integer NOT NULL, received_at {ts} NOT NULL"
        )
    sep = ", " if cols else ""
    _run(
        conn,
        f"CREATE TABLE {tables.current} ({cols}{sep}k text{collate} "
        f"GENERATED ALWAYS AS ({key}) STORED NOT NULL, {provenance})",
    )
    _run(
        conn,
        f"CREATE TABLE {tables.history} ({cols}{sep}k text{collate} NOT NULL, "
        f"valid_from {ts} NOT NULL, valid_to {ts} NOT NULL, snapshot_id integer NOT NULL, "
        f"received_at {ts} NOT NULL)",
    )
    _run(conn, f"CREATE INDEX {tables.history}_k ON {tables.history} (k, valid_from)")
    if keyed:
        add_key(conn, tables)


def add_key(conn: Connection | Session, tables: Tables) -> None:
    """The current table's unique key (a primary key on PostgreSQL; SQLite cannot key a generated column)."""
    if _db(conn) == "postgresql":
        _run(conn, f"ALTER TABLE {tables.current} ADD PRIMARY KEY (k)")
    else:
        _run(conn, f"CREATE UNIQUE INDEX {tables.current}_k ON {tables.current} (k)")


def widen(conn: Connection | Session, tables: Tables, old_width: int, new_width: int) -> None:
    """Columns for layout positions ``old_width…new_width-1`` (new columns: NULL in every stored row)."""
    for table in (tables.current, tables.history):
        for c in fields(new_width)[old_width:]:
            _run(conn, f"ALTER TABLE {table} ADD COLUMN {c} text")


def drop(conn: Connection | Session, tables: Tables) -> None:
    for table in (tables.current, tables.history):
        _run(conn, f"DROP TABLE IF EXISTS {table}")


def exists(conn: Connection | Session, tables: Tables) -> bool:
    if _db(conn) == "postgresql":
        sql = "SELECT to_regclass(:t) IS NOT NULL"
    else:
        sql = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t)"
    return bool(_scalar(conn, sql, {"t": tables.current}))


def _run(conn: Connection | Session, sql: str) -> None:
    conn.execute(text(sql))


def _scalar(conn: Connection | Session, sql: str, params: dict[str, object]) -> object:
    return conn.execute(text(sql), params).scalar_one()
