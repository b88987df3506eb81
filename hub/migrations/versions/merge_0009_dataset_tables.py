"""merge: each merged dataset's own two tables (current rows, superseded versions) instead of one
``record_versions`` for every dataset (issue #23).

Revision ID: merge_0009
Revises: merge_0008
Create Date: 2026-12-07

In one table every version of every dataset shared two partial indexes, a JSON
array per row that readers parsed field by field, and an UPDATE of ``valid_to``
per superseded version. :mod:`hub.merge.tables` gives each (reseller, dataset)
a current table, with the fields in text columns by layout position and the key
line generated from them, and a history table written only when a row changes.

The upgrade moves every version with one ``INSERT … SELECT`` per dataset and
half (current, closed), then drops ``record_versions``. It changes nothing and
says what to do when a version would not arrive intact: rows of no merged
dataset, a dataset without a schema or whose key columns are not in its layout,
a version with more fields than the layout, or a current version whose stored
key differs from the key its fields give by the newest schema's key columns
(the new tables derive the key from the fields, so such a row would be found
under another key). Downgrade moves the rows back (``row_hash`` NULL: the next
merge compares those rows' values once, as after merge_0003) and drops the
per-dataset tables.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime
from hub.merge import tables
from shared.errors import DataError

revision = "merge_0009"
down_revision = "merge_0008"
branch_labels = None
depends_on = None

log = logging.getLogger("hub.migrations")
OLD = "record_versions"
RESTORE = (
    "nothing was changed: keep running the previous release and report this message (issue #23)"
)
CURRENT_INDEX, CLOSED_INDEX = "uq_record_versions_current", "ix_record_versions_closed"
INDEX_COLUMNS = ["reseller_id", "dataset", "row_key"]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # nothing written into the table while it moves
        bind.execute(sa.text(f"LOCK TABLE {OLD}, merged_datasets IN SHARE ROW EXCLUSIVE MODE"))
    _refuse_versions_of_no_dataset(bind)
    datasets = bind.execute(
        sa.text("SELECT reseller_id, dataset FROM merged_datasets ORDER BY reseller_id, dataset")
    ).all()
    moved = sum(_move(bind, reseller_id, dataset) for reseller_id, dataset in datasets)
    left = bind.scalar(sa.text(f"SELECT count(*) FROM {OLD}")) - moved
    if left:  # a guard: _refuse_versions_of_no_dataset found none, every dataset moved its own
        raise DataError(
            "{count} row(s) of record_versions were not moved", hint=RESTORE, count=left
        )
    op.drop_index(CLOSED_INDEX, table_name=OLD)
    op.drop_index(CURRENT_INDEX, table_name=OLD)
    op.drop_table(OLD)


def _refuse_versions_of_no_dataset(bind: sa.Connection) -> None:
    orphans = bind.execute(
        sa.text(
            f"SELECT reseller_id, dataset, count(*) FROM {OLD} v WHERE NOT EXISTS (SELECT 1 FROM "
            "merged_datasets m WHERE m.reseller_id = v.reseller_id AND m.dataset = v.dataset) "
            "GROUP BY reseller_id, dataset ORDER BY reseller_id, dataset"
        )
    ).all()
    if orphans:
        raise DataError(
            "record_versions holds versions of datasets that merged_datasets does not list: {which}",
            hint="delete them (DELETE FROM record_versions WHERE reseller_id = … AND dataset = …) "
            "if they are not needed, or restore the merged_datasets rows, then upgrade again "
            "(nothing was changed)",
            which=", ".join(f"{d} of reseller {r} ({n} rows)" for r, d, n in orphans),
        )


def _move(bind: sa.Connection, reseller_id: str, dataset: str) -> int:
    """Create the dataset's tables and copy its versions into them; returns how many."""
    where = {"reseller_id": reseller_id, "dataset": dataset}
    layout, key = _schema(bind, where)
    db = bind.dialect.name
    width, keys = len(layout), [layout.index(k) for k in key]
    names = tables.fields(width)

    def source(half: str = "") -> str:
        """The dataset's versions (``half``: a condition on ``valid_to``), the values parsed once
        (jsonb) on PostgreSQL."""
        cols = "row_key, valid_from, valid_to, snapshot_id, received_at"
        v = "row_values::jsonb" if db == "postgresql" else "row_values"
        fence = " OFFSET 0" if db == "postgresql" else ""  # keep the parse out of each field
        return (
            f"(SELECT {v} AS v, {cols} FROM {OLD} WHERE reseller_id = :reseller_id "
            f"AND dataset = :dataset{f' AND valid_to {half}' if half else ''}{fence}) s"
        )

    elems = [_element(db, j) for j in range(width)]
    derived = tables.key_expression(db, [elems[p] for p in keys])
    length = "jsonb_array_length(v)" if db == "postgresql" else "json_array_length(v)"
    longer, differ = f"{length} > {width}", f"valid_to IS NULL AND row_key <> {derived}"
    checks = bind.execute(
        sa.text(
            f"SELECT sum(CASE WHEN {longer} THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {differ} THEN 1 ELSE 0 END) FROM {source()}"
        ),
        where,
    ).one()
    if checks[0]:
        raise DataError(
            "dataset {dataset} of reseller {reseller_id}: {count} version(s) have more fields than "
            "the newest schema's layout ({width} columns)",
            hint=RESTORE,
            count=checks[0],
            width=width,
            **where,
        )
    if checks[1]:
        _refuse_keys(bind, where, checks[1], key, source("IS NULL"), derived)

    t = tables.of(reseller_id, dataset)
    tables.create(bind, t, width, keys, keyed=False)  # the key index once the rows are in
    cols, values = ", ".join(names), ", ".join(elems)
    current = bind.execute(
        sa.text(
            f"INSERT INTO {t.current} ({cols}, valid_from, snapshot_id, received_at) "
            f"SELECT {values}, valid_from, snapshot_id, received_at FROM {source('IS NULL')}"
        ),
        where,
    ).rowcount
    # the generated key of every row is a current version's stored key (each row's was checked
    # above with the same expression; this checks the column that readers will use)
    unmatched = bind.scalar(
        sa.text(
            f"SELECT count(*) FROM {t.current} c WHERE NOT EXISTS (SELECT 1 FROM {OLD} v WHERE "
            "v.reseller_id = :reseller_id AND v.dataset = :dataset AND v.valid_to IS NULL AND "
            "v.row_key = c.k)"
        ),
        where,
    )
    if unmatched:  # a bug: the generated column is not the expression checked above
        raise DataError(
            "dataset {dataset} of reseller {reseller_id}: {count} row(s) of {table} have a "
            "generated key that no current version has",
            hint=RESTORE,
            count=unmatched,
            table=t.current,
            **where,
        )
    tables.add_key(bind, t)
    closed = bind.execute(
        sa.text(
            f"INSERT INTO {t.history} ({cols}, k, valid_from, valid_to, snapshot_id, received_at) "
            f"SELECT {values}, row_key, valid_from, valid_to, snapshot_id, received_at "
            f"FROM {source('IS NOT NULL')}"
        ),
        where,
    ).rowcount
    if db == "postgresql":
        op.execute(f"ANALYZE {t.current}")
        op.execute(f"ANALYZE {t.history}")
    log.info(
        "merge: dataset %s of reseller %s: %d current row(s) moved to %s, %d earlier version(s) to %s",
        dataset,
        reseller_id,
        current,
        t.current,
        closed,
        t.history,
    )
    return int(current) + int(closed)


def _schema(bind: sa.Connection, where: dict[str, str]) -> tuple[list[str], list[str]]:
    """The newest schema version's layout and key column names."""
    row = bind.execute(
        sa.text(
            "SELECT layout, key FROM dataset_schemas WHERE reseller_id = :reseller_id AND "
            "dataset = :dataset ORDER BY version DESC LIMIT 1"
        ),
        where,
    ).one_or_none()
    if row is None:
        raise DataError(
            "dataset {dataset} of reseller {reseller_id} has no schema in dataset_schemas",
            hint=RESTORE,
            **where,
        )
    layout, key = json.loads(row[0]), json.loads(row[1])
    missing = [k for k in key if k not in layout]
    if not key or missing:
        raise DataError(
            "dataset {dataset} of reseller {reseller_id}: the newest schema's key {key} is not "
            "in its layout {layout}",
            hint=RESTORE,
            key=key,
            layout=layout,
            **where,
        )
    return layout, key


def _element(db: str, position: int) -> str:
    """Field ``position`` of the parsed array ``v`` as text (NULL: JSON null or past its end)."""
    if db == "postgresql":
        return f"(v ->> {int(position)})"
    return f"json_extract(v, '$[{int(position)}]')"


def _refuse_keys(
    bind: sa.Connection,
    where: dict[str, str],
    count: int,
    key: list[str],
    source: str,
    derived: str,
) -> None:
    stored, from_fields = bind.execute(
        sa.text(f"SELECT row_key, {derived} FROM {source} WHERE row_key <> {derived} LIMIT 1"),
        where,
    ).one()  # the check that called this counted such rows
    raise DataError(
        "dataset {dataset} of reseller {reseller_id}: {count} current version(s) are stored under "
        "a key other than the one their fields give by the key columns {key} "
        "(e.g. stored {stored}, from the fields {derived})",
        hint=RESTORE,
        count=count,
        key=", ".join(key),
        stored=repr(stored),
        derived=repr(from_fields),
        **where,
    )


def downgrade() -> None:
    bind = op.get_bind()
    db = bind.dialect.name
    op.create_table(
        OLD,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True),
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column(
            "row_key",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),  # merge_0007
            nullable=False,
        ),
        sa.Column("row_values", sa.Text(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("row_hash", sa.String(32), nullable=True),  # merge_0003 appended it
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_versions")),
    )
    if db == "postgresql":
        op.execute(f"ALTER TABLE {OLD} SET (fillfactor = 90)")  # merge_0006
    named = {
        tables.of(r, d): {"reseller_id": r, "dataset": d}
        for r, d in bind.execute(sa.text("SELECT reseller_id, dataset FROM merged_datasets"))
    }
    _refuse_unnamed_tables(bind, named)
    for t, where in named.items():
        if tables.exists(bind, t):
            _move_back(bind, t, where)
            tables.drop(bind, t)
    op.create_index(
        CURRENT_INDEX,
        OLD,
        INDEX_COLUMNS,
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        CLOSED_INDEX,
        OLD,
        [*INDEX_COLUMNS, "valid_from"],
        sqlite_where=sa.text("valid_to IS NOT NULL"),
        postgresql_where=sa.text("valid_to IS NOT NULL"),
    )


def _refuse_unnamed_tables(bind: sa.Connection, named: dict[tables.Tables, Any]) -> None:
    """Per-dataset tables whose dataset merged_datasets no longer lists would be lost."""
    ours = {n for t in named for n in (t.current, t.history)}
    prefixes = (tables.CURRENT_PREFIX, tables.HISTORY_PREFIX)
    stray = sorted(
        n for n in sa.inspect(bind).get_table_names() if n.startswith(prefixes) and n not in ours
    )
    if stray:
        raise DataError(
            "tables of merged datasets that merged_datasets does not list: {which}",
            hint="restore the backup taken before the upgrade to merge_0009, or drop these tables "
            "if their rows are not needed, then downgrade again (nothing was changed)",
            which=", ".join(stray),
        )


def _move_back(bind: sa.Connection, t: tables.Tables, where: dict[str, str]) -> None:
    names = [
        c["name"]
        for c in sa.inspect(bind).get_columns(t.current)
        if re.fullmatch(r"c\d+", c["name"])
    ]
    values = _json_array(bind.dialect.name, sorted(names, key=lambda n: int(n[1:])))
    head = (
        f"INSERT INTO {OLD} (reseller_id, dataset, row_key, row_values, row_hash, valid_from, "
        "valid_to, snapshot_id, received_at) SELECT :reseller_id, :dataset, k, "
        f"{values}, NULL, valid_from"
    )
    bind.execute(
        sa.text(f"{head}, NULL, snapshot_id, received_at FROM {t.current}"),
        where,
    )
    bind.execute(
        sa.text(f"{head}, valid_to, snapshot_id, received_at FROM {t.history}"),
        where,
    )


def _json_array(db: str, names: list[str]) -> str:
    """SQL for the fields as the JSON array the merge wrote: no spaces, trailing NULLs trimmed."""
    if db == "postgresql":
        whens = " ".join(
            f"WHEN {c} IS NOT NULL THEN {j + 1}" for j, c in reversed(list(enumerate(names)))
        )
        length = f"CASE {whens} ELSE 0 END" if names else "0"
        return f"array_to_json((ARRAY[{', '.join(names)}]::text[])[1:{length}])::text"
    pieces = []
    for j, c in enumerate(names):
        rest = names[j:]
        some = rest[0] if len(rest) == 1 else f"COALESCE({', '.join(rest)})"
        piece = f"json_quote({c})" if j == 0 else f"',' || json_quote({c})"
        pieces.append(f"CASE WHEN {some} IS NOT NULL THEN {piece} ELSE '' END")
    return " || ".join(["'['", *pieces, "']'"])
