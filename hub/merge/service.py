"""Merge one snapshot into the versioned store, set-based, inside the caller's transaction.

Per dataset: check schema drift, bulk-load the rows into a staging table,
derive each row's key line and canonical values in SQL, then four statements
do the work — close changed current versions, close deleted keys, insert new
versions — whatever the row count. Nothing is committed here: the ingest
owns the transaction (and the exactly-once bookkeeping that goes with it).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator, Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.core.db import UTCDateTime
from hub.merge import dialect, store
from hub.merge.models import MergedDataset
from hub.merge.schema import SchemaState, compare
from hub.merge.stats import DatasetStats, MergeStats
from shared.errors import DataError
from shared.manifest import DatasetManifest, Manifest
from shared.types import PortableType

RAW, ROWS, KEYS = "merge_raw", "merge_rows", "merge_keys"
# types whose canonical text may contain characters that COPY escapes
_ESCAPED_TYPES = {PortableType.TEXT, PortableType.JSON, PortableType.BINARY}
CURRENT = "reseller_id = :r AND dataset = :d AND valid_to IS NULL"


class Reader(Protocol):
    def iter_chunks(self, dataset: str) -> Iterator[bytes]: ...
    def iter_keys(self, dataset: str) -> Iterator[bytes]: ...


def merge_snapshot(
    session: Session,
    *,
    reseller_id: str,
    snapshot_id: int,
    manifest: Manifest,
    reader: Reader,
    received_at: dt.datetime,
    verify_digest: bool = True,
) -> MergeStats:
    """Apply every dataset of ``manifest``; raises IncompatibleSchema / DataError, never commits."""
    if manifest.reseller_id != reseller_id:
        raise DataError(
            f"snapshot belongs to reseller {manifest.reseller_id!r}, not {reseller_id!r}",
            hint="quarantine it: a reseller's snapshot must only be merged into its own data",
        )
    stats = MergeStats()
    for ds in manifest.datasets:
        stats.datasets[ds.name] = _merge_dataset(
            session, reseller_id, snapshot_id, manifest, ds, reader, received_at, verify_digest
        )
    return stats


def _sql(statement: str) -> text:
    """A text statement whose time parameters go through UTCDateTime (same storage as the ORM)."""
    names = [n for n in ("t", "recv") if f":{n}" in statement]
    return text(statement).bindparams(*(bindparam(n, type_=UTCDateTime()) for n in names))


def _merge_dataset(
    session: Session, reseller_id: str, snapshot_id: int, manifest: Manifest, ds: DatasetManifest,
    reader: Reader, received_at: dt.datetime, verify_digest: bool,
) -> DatasetStats:
    out = DatasetStats()
    previous = store.latest_schema(session, reseller_id, ds.name)
    drift = compare(previous, ds.columns, ds.key, reseller_id=reseller_id, dataset=ds.name)
    state = drift.state
    out.schema_version, out.schema_changes = state.version, drift.changes
    valid_from = manifest.created_at
    md = store.merged_dataset(session, reseller_id, ds.name)
    if md is not None and md.last_source_at > valid_from:
        out.warnings.append(f"snapshot created_at {valid_from.isoformat()} is earlier than the last merged "
                            f"{md.last_source_at.isoformat()}: versions dated at the latter")
        valid_from = md.last_source_at
    if drift.bumped:
        store.save_schema(session, reseller_id, ds.name, state, drift.changes, snapshot_id, valid_from, received_at)
    session.flush()

    params = {"r": reseller_id, "d": ds.name, "t": valid_from, "recv": received_at, "sid": snapshot_id}
    what = f"dataset {ds.name}"
    width = len(ds.columns)
    _create_stage(session, RAW, width)
    staged = dialect.load(session, RAW, width, reader.iter_chunks(ds.name), what)
    session.execute(text(f"DROP TABLE IF EXISTS {ROWS}"))
    session.execute(text(
        f"CREATE TEMP TABLE {ROWS} AS SELECT {_key_sql(session, ds)} AS k, "
        f"{_values_sql(session, ds, state)} AS v FROM {RAW}"
    ))
    _index_stage(session, ROWS)
    session.execute(text(f"DROP TABLE {RAW}"))

    out.updated = session.execute(_sql(
        f"UPDATE record_versions SET valid_to = :t WHERE {CURRENT} AND EXISTS "
        f"(SELECT 1 FROM {ROWS} s WHERE s.k = record_versions.row_key AND s.v <> record_versions.row_values)"
    ), params).rowcount
    keyset_part = ds.keyset is not None and ds.keyset.part is not None
    if manifest.kind == "full":
        out.deleted = session.execute(_sql(
            f"UPDATE record_versions SET valid_to = :t WHERE {CURRENT} AND NOT EXISTS "
            f"(SELECT 1 FROM {ROWS} s WHERE s.k = record_versions.row_key)"
        ), params).rowcount
    elif keyset_part:
        key_cols = [ds.column(k) for k in ds.key]
        _create_stage(session, KEYS, len(key_cols))
        dialect.load(session, KEYS, len(key_cols), _batched(reader.iter_keys(ds.name)), f"{what} keys")
        session.execute(text(f"ALTER TABLE {KEYS} ADD COLUMN k text"))
        session.execute(text(f"UPDATE {KEYS} SET k = {_key_sql(session, ds, positional=True)}"))
        _index_stage(session, KEYS)
        out.deleted = session.execute(_sql(
            f"UPDATE record_versions SET valid_to = :t WHERE {CURRENT} "
            f"AND NOT EXISTS (SELECT 1 FROM {KEYS} s WHERE s.k = record_versions.row_key) "
            f"AND NOT EXISTS (SELECT 1 FROM {ROWS} s WHERE s.k = record_versions.row_key)"
        ), params).rowcount
        session.execute(text(f"DROP TABLE {KEYS}"))
    try:
        written = session.execute(_sql(
            "INSERT INTO record_versions (reseller_id, dataset, row_key, row_values, valid_from, valid_to, "
            "snapshot_id, received_at) SELECT CAST(:r AS VARCHAR(63)), CAST(:d AS VARCHAR(64)), s.k, s.v, :t, NULL, "
            f"CAST(:sid AS INTEGER), :recv FROM {ROWS} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM record_versions c WHERE c.reseller_id = :r AND c.dataset = :d "
            "AND c.valid_to IS NULL AND c.row_key = s.k)"
        ), params).rowcount
    except IntegrityError:
        raise DataError(
            f"{what}: the snapshot holds the same key more than once",
            hint="the dataset's key is not unique at the source; fix the key in the agent's configuration",
            dataset=ds.name,
        ) from None
    session.execute(text(f"DROP TABLE {ROWS}"))
    out.inserted = written - out.updated
    out.unchanged = staged - written

    current = (md.current_rows if md is not None else 0) + out.inserted - out.deleted
    if md is None:
        session.add(MergedDataset(
            reseller_id=reseller_id, dataset=ds.name, schema_version=state.version, last_snapshot_id=snapshot_id,
            last_source_at=valid_from, last_received_at=received_at, current_rows=current,
        ))
    else:
        md.schema_version, md.last_snapshot_id, md.current_rows = state.version, snapshot_id, current
        md.last_source_at, md.last_received_at = valid_from, received_at
    if ds.keyset is not None:
        _check_keyset(session, ds, params, current, verify_digest, out)
    session.flush()
    return out


def _check_keyset(
    session: Session, ds: DatasetManifest, params: dict, current: int, verify: bool, out: DatasetStats
) -> None:
    """After the merge the hub's current keys must be exactly the source's: else warn (a full resync fixes it)."""
    assert ds.keyset is not None
    if current != ds.keyset.count:
        out.warnings.append(f"key set mismatch: the hub holds {current} current keys, the source {ds.keyset.count}; "
                            "the next full snapshot will resynchronise")
        return
    if verify:
        _, digest = dialect.current_keys_digest(session, CURRENT, params)
        if digest != ds.keyset.digest:
            out.warnings.append("key set digest mismatch (same count, different keys); "
                                "the next full snapshot will resynchronise")


def _batched(lines: Iterator[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    buf: list[bytes] = []
    n = 0
    for line in lines:
        buf.append(line)
        n += len(line)
        if n >= size:
            yield b"".join(buf)
            buf, n = [], 0
    if buf:
        yield b"".join(buf)


def _create_stage(session: Session, table: str, width: int) -> None:
    session.execute(text(f"DROP TABLE IF EXISTS {table}"))
    cols = ", ".join(f"c{i} text" for i in range(width))
    session.execute(text(f"CREATE TEMP TABLE {table} ({cols})"))


def _index_stage(session: Session, table: str) -> None:
    # SQLite needs the index for its correlated subqueries; PostgreSQL hash-joins on fresh statistics.
    if dialect.name(session) == "sqlite":
        session.execute(text(f"CREATE INDEX {table}_k ON {table} (k)"))
    else:
        session.execute(text(f"ANALYZE {table}"))


def _escape_sql(session: Session, expr: str) -> str:
    """SQL escaping a field as COPY text does (backslash first), NULL as \\N."""
    for code, esc in ((92, "\\\\"), (9, "\\t"), (10, "\\n"), (13, "\\r"), (8, "\\b"), (12, "\\f"), (11, "\\v")):
        expr = f"replace({expr}, {dialect.char(session, code)}, '{esc}')"
    return expr


def _key_sql(session: Session, ds: DatasetManifest, positional: bool = False) -> str:
    """SQL for the key line of a staged row (key columns as a COPY line, no newline)."""
    names = [c.name for c in ds.columns]
    parts = []
    for i, k in enumerate(ds.key):
        col = f"c{i if positional else names.index(k)}"
        field = _escape_sql(session, col) if ds.column(k).type in _ESCAPED_TYPES else col
        parts.append(f"COALESCE({field}, '\\N')")
    tab = dialect.char(session, 9)
    return f" || {tab} || ".join(parts)


def _values_sql(session: Session, ds: DatasetManifest, state: SchemaState) -> str:
    """SQL for a staged row's values as a JSON array by layout, trailing NULLs trimmed.

    Trimming makes a row read the same before and after a nullable column is
    added at the end, so adding a column does not version every row.
    """
    names = [c.name for c in ds.columns]
    cols = [f"c{names.index(n)}" if n in names else None for n in state.layout]
    mandatory = [j for j, n in enumerate(state.layout)
                 if n in names and (n in ds.key or not ds.column(n).nullable)]
    last_mandatory = max(mandatory, default=0)
    pieces = []
    for j, col in enumerate(cols):
        elem = dialect.json_string(session, col) if col else "'null'"
        piece = elem if j == 0 else f"',' || {elem}"
        if j <= last_mandatory:
            pieces.append(piece)
            continue
        later = [c for c in cols[j:] if c]
        if not later:
            break
        cond = later[0] if len(later) == 1 else f"COALESCE({', '.join(later)})"
        pieces.append(f"CASE WHEN {cond} IS NOT NULL THEN {piece} ELSE '' END")
    return "'[' || " + " || ".join(pieces) + " || ']'"
