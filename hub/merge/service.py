"""Merge one snapshot into the versioned store, set-based, inside the caller's transaction.

Per dataset (its two tables: :mod:`hub.merge.tables`): check schema drift; a
dataset's first full snapshot on PostgreSQL is COPYed straight into its new
current table, whose key is built afterwards — each row written once, as a
plain keyed copy would. Otherwise the rows are bulk-loaded into a staging
table (COPY on PostgreSQL; the key line a generated column), one join against
the current rows keeps the new, changed and (full snapshot) deleted keys, and
a few set-based statements move the superseded rows to history and write the
new ones — whatever the row count. Nothing is committed here: the ingest owns
the transaction (and the exactly-once bookkeeping that goes with it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator, Protocol

from sqlalchemy import CursorResult, TextClause, bindparam, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.core.db import UTCDateTime
from hub.merge import dialect, keydigest, rowsql, store, tables
from hub.merge.models import MergedDataset
from hub.merge.schema import SchemaState, compare
from hub.merge.stats import DatasetStats, MergeStats
from shared import keyset
from shared.errors import DataError
from shared.manifest import DatasetManifest, Manifest

RAW, DIFF, KEYS, GONE = "merge_raw", "merge_diff", "merge_keys", "merge_gone"
STATS_AFTER = 10_000  # rows a merge must add (and more than were there) to refresh the statistics


class Reader(Protocol):
    def iter_chunks(self, dataset: str) -> Iterator[bytes]: ...
    def iter_keys(self, dataset: str) -> Iterator[bytes]: ...
    def iter_deleted(self, dataset: str) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class _Target:
    """One dataset's merge: its manifest entry, schema, tables, and what its statements bind."""

    session: Session
    ds: DatasetManifest
    state: SchemaState
    names: tables.Tables
    valid_from: dt.datetime  # of the versions this merge writes
    snapshot_id: int
    received_at: dt.datetime
    digest: str  # the key-set digest's hash (shared.keyset) this merge sums and stores

    @property
    def what(self) -> str:
        return f"dataset {self.ds.name}"

    @property
    def params(self) -> dict[str, object]:
        """The provenance every statement binds (:func:`_sql` types the times)."""
        return {"t": self.valid_from, "sid": self.snapshot_id, "recv": self.received_at}


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
            "snapshot belongs to reseller {owner}, not {reseller_id}",
            owner=manifest.reseller_id,
            reseller_id=reseller_id,
            hint="quarantine it: a reseller's snapshot must only be merged into its own data",
        )
    stats = MergeStats()
    for ds in manifest.datasets:
        stats.datasets[ds.name] = _merge_dataset(
            session, reseller_id, snapshot_id, manifest, ds, reader, received_at, verify_digest
        )
    return stats


def _sql(statement: str) -> TextClause:
    """A text statement whose time parameters go through UTCDateTime (same storage as the ORM)."""
    names = [
        n for n in ("t", "recv", "since") if re.search(rf"(?<![:\w]):{n}\b", statement)
    ]  # not ``::text``
    return text(statement).bindparams(*(bindparam(n, type_=UTCDateTime()) for n in names))


def _rowcount(session: Session, statement: TextClause, params: dict) -> int:
    """Rows an UPDATE/INSERT ``statement`` changed."""
    result = session.execute(statement, params)
    assert isinstance(result, CursorResult), "a textual DML statement always gives a CursorResult"
    return result.rowcount


def _merge_dataset(
    session: Session,
    reseller_id: str,
    snapshot_id: int,
    manifest: Manifest,
    ds: DatasetManifest,
    reader: Reader,
    received_at: dt.datetime,
    verify_digest: bool,
) -> DatasetStats:
    out = DatasetStats()
    previous = store.latest_schema(session, reseller_id, ds.name)
    drift = compare(previous, ds.columns, ds.key, reseller_id=reseller_id, dataset=ds.name)
    state = drift.state
    out.schema_version, out.schema_changes = state.version, drift.changes
    md = store.merged_dataset(session, reseller_id, ds.name)
    valid_from = _valid_from(manifest, md, out)
    if drift.bumped:
        store.save_schema(
            session,
            reseller_id,
            ds.name,
            state,
            drift.changes,
            snapshot_id,
            valid_from,
            received_at,
        )
    session.flush()

    m = _Target(
        session,
        ds,
        state,
        tables.of(reseller_id, ds.name),
        valid_from,
        snapshot_id,
        received_at,
        keydigest.algorithm(
            ds.keyset.digest if ds.keyset else None, md.key_digest if md is not None else None
        ),
    )
    full = manifest.complete(ds)  # every row of the dataset: keys not among them are deleted
    previous_rows = md.current_rows if md is not None else 0
    initial = full and previous_rows == 0  # nothing current to compare with or to close
    # the hub's digest of its current keys (an empty set's is 0); None: not known yet or kept in
    # another hash (computed below, once)
    base = 0 if md is None or initial else keydigest.parse(md.key_digest, m.digest)
    dialect.tune(session)
    direct = md is None and full and dialect.name(session) == "postgresql"
    if md is None:
        tables.create(
            session,
            m.names,
            len(state.layout),
            [state.layout.index(k) for k in state.key],
            loaded=(valid_from, snapshot_id, received_at) if direct else None,
            keyed=not direct,
        )
    elif previous is not None and len(state.layout) > len(previous.layout):
        tables.widen(session, m.names, len(previous.layout), len(state.layout))
    closed_sum = 0
    if direct:
        staged = written = _load_directly(m, reader)
        new_n, new_sum = _initial_key_sum(m, written)
    else:
        dialect.refresh_stats(session, m.names.current, previous_rows, "k")
        staged = dialect.stage(
            session,
            RAW,
            len(ds.columns),
            rowsql.key_sql(session, ds),
            reader.iter_chunks(ds.name),
            m.what,
            expected_rows=ds.rows,
        )
        out.updated, written, new_n, new_sum, out.deleted, closed_sum = _apply(
            m, full, digest=base is not None and not initial
        )
        if initial:
            new_n, new_sum = _initial_key_sum(m, written)
    if full:
        out.delete_check = "full"  # every key the snapshot lacks was closed (none on a first load)
    else:
        out.delete_check, out.deleted, closed_sum = _close_deleted(
            m, manifest, md, reader, (base, new_n, new_sum)
        )
    if not direct:
        dialect.drop_stage(session, RAW)
    out.inserted = written - out.updated
    if out.inserted >= STATS_AFTER and out.inserted > previous_rows:
        # the table grew a lot (a first load): refresh the statistics now, so the next merge
        # neither plans with "empty table" nor pays for the ANALYZE (see dialect.refresh_stats)
        dialect.analyze(session, m.names.current, "k")
    out.unchanged = staged - written

    current = previous_rows + out.inserted - out.deleted
    if base is not None:
        key_digest = keydigest.combine(m.digest, base, new_sum, closed_sum)
    else:  # merged before the hub kept digests: compute it once from the current keys
        _, key_digest = dialect.current_keys_digest(session, m.names.current, m.digest)
    md = _record(session, md, m, reseller_id, current, key_digest)
    if ds.keyset is not None:
        # a full snapshot's rows are the key set (deletes closed exactly): its digest is not compared
        equal = _check_keyset(ds, current, key_digest, verify_digest and not full, out)
        if manifest.format >= 2 and not equal:
            _keys_differ(md, ds, current, snapshot_id, valid_from, out)
        elif equal or full:
            md.keys_mismatch_since = md.keys_mismatch_snapshot_id = None
    session.flush()
    return out


def _valid_from(manifest: Manifest, md: MergedDataset | None, out: DatasetStats) -> dt.datetime:
    """When this snapshot's versions start: its creation, never before the last merged one's."""
    valid_from = manifest.created_at
    if md is not None and md.last_source_at > valid_from:
        out.warnings.append(
            f"snapshot created_at {valid_from.isoformat()} is earlier than the last merged "
            f"{md.last_source_at.isoformat()}: versions dated at the latter"
        )
        valid_from = md.last_source_at
    return valid_from


def _record(
    session: Session,
    md: MergedDataset | None,
    m: _Target,
    reseller_id: str,
    current: int,
    key_digest: str,
) -> MergedDataset:
    """The dataset's bookkeeping after the merge: schema, last snapshot, row count, key digest."""
    if md is None:
        md = MergedDataset(reseller_id=reseller_id, dataset=m.ds.name)
        session.add(md)
    md.schema_version, md.last_snapshot_id, md.current_rows = (
        m.state.version,
        m.snapshot_id,
        current,
    )
    md.last_source_at, md.last_received_at = m.valid_from, m.received_at
    md.key_digest = key_digest
    return md


def _keys_differ(
    md: MergedDataset,
    ds: DatasetManifest,
    current: int,
    snapshot_id: int,
    valid_from: dt.datetime,
    out: DatasetStats,
) -> None:
    """After a format-2 merge the key sets differ: remember since when, and say what the hub needs.

    Keys the hub has and the source lacks are closed when the agent sends its whole
    key list (``request = "keys"``), dated at the first disagreeing push. Keys the
    source has and the hub lacks can only come with their rows: a full snapshot.
    """
    assert ds.keyset is not None
    if md.keys_mismatch_since is None:
        md.keys_mismatch_since, md.keys_mismatch_snapshot_id = valid_from, snapshot_id
    had_list = ds.keyset.part is not None
    out.request = "full" if had_list or current < ds.keyset.count else "keys"
    out.warnings.append(
        f"the hub's key set differs from the source's after this snapshot (hub {current} keys, "
        f"source {ds.keyset.count}): "
        + (
            "asked the agent for a full snapshot (the hub lacks rows)"
            if out.request == "full"
            else "asked the agent for its key list; keys the source lacks will be closed at "
            f"{md.keys_mismatch_since.isoformat()}"
        )
    )


def _check_keyset(
    ds: DatasetManifest, current: int, key_digest: str, verify: bool, out: DatasetStats
) -> bool:
    """Whether the hub's current keys are exactly the source's after the merge (format 1: else warn).

    ``key_digest`` is the hub's maintained digest of its current keys (see :mod:`hub.merge.keydigest`);
    a format-2 mismatch is reported by :func:`_keys_differ` with what the hub asks for.
    """
    assert ds.keyset is not None
    v1 = ds.mode is None
    if current != ds.keyset.count:
        if v1:
            out.warnings.append(
                f"key set mismatch: the hub holds {current} current keys, the source {ds.keyset.count}; "
                "the next full snapshot will resynchronise"
            )
        return False
    if verify and ds.keyset.digest is not None and key_digest != ds.keyset.digest:
        if v1:
            out.warnings.append(
                "key set digest mismatch (same count, different keys); "
                "the next full snapshot will resynchronise"
            )
        return False
    return True


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


def _duplicate_key(what: str, dataset: str) -> DataError:
    return DataError(
        "{what}: the snapshot holds the same key more than once",
        what=what,
        hint="the dataset's key is not unique at the source; fix the key in the agent's configuration",
        dataset=dataset,
    )


def _load_directly(m: _Target, reader: Reader) -> int:
    """A dataset's first full snapshot (PostgreSQL): COPY into its new current table, then key it.

    The table was created in this transaction with the snapshot's provenance as
    column defaults and no key index, so each row is written once and the
    index is built by one sort — the cost of ``pg_dump | psql`` into a keyed
    table (bench/first_load_floor.py). A key held twice fails the key's build.
    """
    rows = dialect.load(
        m.session, m.names.current, len(m.ds.columns), reader.iter_chunks(m.ds.name), m.what
    )
    try:
        tables.add_key(m.session, m.names)
    except IntegrityError:
        raise _duplicate_key(m.what, m.ds.name) from None
    return rows


def _initial_key_sum(m: _Target, written: int) -> tuple[int, int]:
    """(count, digest sum) of a first load's keys: the manifest's, when it counts exactly the rows loaded.

    The keys just loaded are the snapshot's rows' keys (each once: a duplicate
    failed the key), and the manifest's key-set digest is the agent's digest
    of those same keys, signed with the data parts that were hash-checked
    before the merge: adopting it trusts nothing new, and saves hashing every
    key again (≈ 2 s per 1M keys in bench_merge). Without a digest, or with another count,
    the hub hashes the loaded keys itself (the count mismatch is then reported).
    """
    ks = m.ds.keyset
    if ks is not None and ks.digest is not None and ks.count == written:
        return written, keyset.value_of(ks.digest)
    return keydigest.sum_keys(m.session, f"SELECT k AS key_line FROM {m.names.current}", m.digest)


def _apply(m: _Target, full: bool, *, digest: bool) -> tuple[int, int, int, int, int, int]:
    """Stage → DIFF (new, changed and, for a full snapshot, deleted keys) → history and current rows.

    Returns (rows changed, rows written, new keys and their digest sum, keys
    deleted and theirs — sums 0 unless ``digest``). A key staged twice makes
    the insert of the new rows fail: the duplicate-key error.
    """
    session, names = m.session, m.names
    changed = rowsql.changed_sql(session, m.ds, m.state)
    session.execute(text(f"DROP TABLE IF EXISTS {DIFF}"))
    if full and dialect.name(session) == "postgresql":  # one hash join finds all three kinds
        session.execute(
            text(
                f"CREATE TEMP TABLE {DIFF} AS SELECT COALESCE(s.k, c.k) AS k, c.k IS NOT NULL AS had, "
                f"s.k IS NULL AS gone FROM {RAW} s FULL JOIN {names.current} c ON c.k = s.k "
                f"WHERE c.k IS NULL OR s.k IS NULL OR {changed}"
            )
        )
    else:
        session.execute(
            text(
                f"CREATE TEMP TABLE {DIFF} AS SELECT s.k, c.k IS NOT NULL AS had, 1 = 0 AS gone "
                f"FROM {RAW} s LEFT JOIN {names.current} c ON c.k = s.k WHERE c.k IS NULL OR {changed}"
            )
        )
        if full:  # SQLite: the stage's key index answers each look-up
            session.execute(
                text(
                    f"INSERT INTO {DIFF} (k, had, gone) SELECT c.k, 1 = 1, 1 = 1 FROM {names.current} c "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {RAW} s WHERE s.k = c.k)"
                )
            )
    dialect.analyze(session, DIFF, "k")
    counts = {
        (bool(had), bool(gone)): n
        for had, gone, n in session.execute(
            text(f"SELECT had, gone, count(*) FROM {DIFF} GROUP BY had, gone")
        )
    }
    new_n = counts.get((False, False), 0)
    updated, deleted = counts.get((True, False), 0), counts.get((True, True), 0)
    new_sum = gone_sum = 0
    if digest:
        _, new_sum = keydigest.sum_keys(
            session, f"SELECT k AS key_line FROM {DIFF} WHERE NOT had", m.digest
        )
        if deleted:
            _, gone_sum = keydigest.sum_keys(
                session, f"SELECT k AS key_line FROM {DIFF} WHERE gone", m.digest
            )
    _retire(m, f"SELECT k FROM {DIFF} WHERE had", ":t", m.params)
    sources = rowsql.layout_sources(m.ds, m.state)
    into = [tables.field(j) for j, s in enumerate(sources) if s]
    try:
        written = _rowcount(
            session,
            _sql(
                f"INSERT INTO {names.current} ({', '.join(into)}, {', '.join(tables.PROVENANCE)}) "
                f"SELECT {', '.join(f's.{s}' for s in sources if s)}, :t, CAST(:sid AS INTEGER), :recv "
                f"FROM {RAW} s WHERE s.k IN (SELECT k FROM {DIFF} WHERE NOT gone)"
            ),
            m.params,
        )
    except IntegrityError:
        raise _duplicate_key(m.what, m.ds.name) from None
    session.execute(text(f"DROP TABLE {DIFF}"))
    return updated, written, new_n, new_sum, deleted, gone_sum


def _retire(m: _Target, keys: str, valid_to: str, params: dict[str, object]) -> None:
    """Move the current rows whose key ``keys`` selects to history, closed at ``valid_to``."""
    session, names = m.session, m.names
    cols = ", ".join(tables.fields(len(m.state.layout)))
    for statement in dialect.move_rows(
        session,
        names.current,
        names.history,
        into=f"{cols}, k, valid_from, valid_to, snapshot_id, received_at",
        values=f"{cols}, k, valid_from, {valid_to}, snapshot_id, received_at",
        where=f"k IN ({keys})",
    ):
        session.execute(_sql(statement), params)


def _close_deleted(
    m: _Target,
    manifest: Manifest,
    md: MergedDataset | None,
    reader: Reader,
    added: tuple[int | None, int, int],
) -> tuple[str, int, int]:
    """An incremental's deletes, found by what its manifest carries.

    ``added`` is (the hub's key digest before, keys this merge added, their
    digest sum). Returns how deletes were checked (``delete_check``), the keys
    closed and their digest sum.
    """
    ds, what = m.ds, m.what
    base, new_n, new_sum = added
    previous_rows = md.current_rows if md is not None else 0
    if manifest.format >= 2:
        deleted = closed_sum = 0
        if ds.deleted is not None:
            deleted, closed_sum = _close_keys(
                m, reader.iter_deleted(ds.name), m.params, f"{what} deleted keys", listed=True
            )
        agreed = _keys_agree(m, base, previous_rows + new_n - deleted, new_sum, closed_sum)
        if ds.keyset is not None and ds.keyset.part is not None and not agreed:
            # the whole key list (the hub asked, or the agent's ledger disagreed): keys it lacks are
            # closed at the push whose digest first disagreed (or this one), never later
            since = md.keys_mismatch_since if md is not None else None
            since_params = {**m.params, "since": since or m.valid_from}
            n, lacking = _close_keys(
                m, reader.iter_keys(ds.name), since_params, f"{what} keys", listed=False
            )
            deleted, closed_sum = deleted + n, closed_sum + lacking
        # the agent compared key sets; the digest check after the merge proves it
        return "keys", deleted, closed_sum
    if ds.keyset is not None and ds.keyset.part is not None:
        if _keys_agree(m, base, previous_rows + new_n, new_sum):
            return "skipped", 0, 0  # the source holds exactly our keys plus the new ones
        # after the inserts: the new rows' keys are staged, so stay open
        deleted, closed_sum = _close_keys(
            m, reader.iter_keys(ds.name), {**m.params, "since": m.valid_from}, what, listed=False
        )
        return "full", deleted, closed_sum
    if ds.keyset is not None and ds.keyset.digest is None:
        # the agent checked against its key ledger and a count of the source that nothing was
        # deleted; the count is compared below (a mismatch warns, the next full resynchronises)
        return "agent", 0, 0
    return "none", 0, 0  # an incremental without its key list cannot tell deletes


def _keys_agree(m: _Target, base: int | None, count: int, plus: int, minus: int = 0) -> bool:
    """Whether the hub's current keys after this merge (``count`` of them, digest ``base + plus −
    minus``) are the source's key set the manifest describes: then a key list has nothing to close.

    Equal digests of the key sets prove equal sets as the agent's own check does (hash sums,
    :mod:`shared.keyset`), so the list need not be staged and anti-joined with every current key
    (≈ 1 s per 1M keys in bench_merge).
    """
    ks = m.ds.keyset
    return (
        ks is not None
        and ks.digest is not None
        and base is not None
        and count == ks.count
        and keydigest.combine(m.digest, base, plus, minus) == ks.digest
    )


def _close_keys(
    m: _Target, lines: Iterator[bytes], params: dict[str, object], what: str, *, listed: bool
) -> tuple[int, int]:
    """Close current rows by a staged key list: the ``listed`` keys (deleted at the source), or
    the keys *not* listed (the source's whole key set: the others are gone) at ``:since`` — or at
    the snapshot's time for a row written after ``:since``.

    Keys this snapshot also carries rows for stay open. Returns (rows closed,
    digest sum of their keys).
    """
    session, names = m.session, m.names
    width = len(m.ds.key)
    dialect.create_stage(session, KEYS, width, rowsql.key_sql(session, m.ds, positional=True))
    dialect.load(session, KEYS, width, _batched(lines), what)
    dialect.analyze(session, KEYS, "k")
    if listed:
        valid_to, match = ":t", "EXISTS"
    else:
        valid_to, match = "CASE WHEN valid_from <= :since THEN :since ELSE :t END", "NOT EXISTS"
    session.execute(text(f"DROP TABLE IF EXISTS {GONE}"))
    session.execute(
        text(
            f"CREATE TEMP TABLE {GONE} AS SELECT c.k FROM {names.current} c "
            f"WHERE {match} (SELECT 1 FROM {KEYS} s WHERE s.k = c.k) "
            f"AND NOT EXISTS (SELECT 1 FROM {RAW} s WHERE s.k = c.k)"
        )
    )
    closed, digest_sum = keydigest.sum_keys(session, f"SELECT k AS key_line FROM {GONE}", m.digest)
    if closed:
        _retire(m, f"SELECT k FROM {GONE}", valid_to, params)
    session.execute(text(f"DROP TABLE {GONE}"))
    session.execute(text(f"DROP TABLE {KEYS}"))
    return closed, digest_sum
