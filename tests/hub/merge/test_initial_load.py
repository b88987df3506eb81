"""The first load of a dataset takes fast paths; each must leave exactly the state the general path leaves.

* every row inserted without the diff (``_insert_all``) in byte order of the key;
* the key-set digest adopted from the manifest instead of hashing every key again;
* the values JSON built by ``fast_values_sql`` (PostgreSQL: ``array_to_json``),
  which must be the text of ``values_sql`` byte for byte: that text is compared
  with stored versions and names the row hash's mapping.

Run on SQLite and PostgreSQL (the ``db`` fixture).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.merge import DatasetStats, merge_snapshot
from hub.merge.dialect import current_keys_digest
from hub.merge.models import MergedDataset, RecordVersion
from hub.merge.rowsql import fast_values_sql, values_sql
from hub.merge.schema import SchemaState
from shared.manifest import Manifest
from shared.snapshot_reader import SnapshotReader
from tests.hub.merge.snapbuild import build, cols

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 1, 22, 0, tzinfo=UTC)
ITEMS = cols("id:integer!", "code:text!", "name:text", "note:text")
KEY = ["id", "code"]
CURRENT = "reseller_id = :r AND dataset = :d AND valid_to IS NULL"
_resellers = itertools.count(1)

# keys and values that COPY or JSON escape, NULLs in the middle and at the end (trimmed), non-ASCII text
ROWS: list[tuple[Any, ...]] = [
    (1, "a", "one", "x"),
    (2, "tab\there", "two", None),
    (3, "back\\slash", None, None),
    (4, "new\nline", 'quote " and \\', "cr\rlf"),
    (5, "", "empty code", None),
    (6, "é ü ß 東京", "ünï", "\b\f\v"),
    (7, "Z", None, "last only"),
    (8, "a\\tb", "\u0001\u001f control", None),
    (10, "10", "ten", None),
    (
        9,
        "9",
        "nine",
        "",
    ),
]


def merge(
    db: sessionmaker[Session], manifest: Manifest, reader: SnapshotReader, rid: str, sid: int
) -> DatasetStats:
    with transaction(db) as s:
        stats = merge_snapshot(
            s,
            reseller_id=rid,
            snapshot_id=sid,
            manifest=manifest,
            reader=reader,
            received_at=T0 + dt.timedelta(minutes=sid),
        )
    return stats.datasets["items"]


def snapshot(
    tmp: Path, rid: str, rows: Sequence[tuple[Any, ...]], day: int
) -> tuple[Manifest, SnapshotReader]:
    return build(
        tmp,
        {"items": (ITEMS, KEY, list(rows))},
        created_at=T0 + dt.timedelta(days=day),
        reseller_id=rid,
    )


def current(
    db: sessionmaker[Session], rid: str
) -> tuple[set[tuple[str, str, str | None]], MergedDataset, str]:
    """(current rows as (key, values, hash), the merged-dataset row, the digest recomputed from the rows)."""
    with db() as s:
        rows = {
            (v.row_key, v.row_values, v.row_hash)
            for v in s.scalars(
                select(RecordVersion).where(
                    RecordVersion.reseller_id == rid, RecordVersion.valid_to.is_(None)
                )
            )
        }
        md = s.get(MergedDataset, (rid, "items"))
        assert md is not None
        s.expunge(md)
        n, digest = current_keys_digest(s, CURRENT, {"r": rid, "d": "items"})
        assert n == md.current_rows == len(rows)
        return rows, md, digest


@contextmanager
def statements(db: sessionmaker[Session]) -> Iterator[list[str]]:
    """SQL text of every statement run on the factory's engine meanwhile."""
    engine = db.kw["bind"]
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def hashes_keys(seen: list[str]) -> bool:
    """Whether the hub computed a key-set digest from staged keys (hub.merge.dialect.keys_sum)."""
    return any("key_line" in s for s in seen)


def test_first_load_leaves_the_state_of_the_general_path(db, tmp_path):
    fast, general = f"il{next(_resellers)}", f"il{next(_resellers)}"
    with statements(db) as seen:
        st_fast = merge(db, *snapshot(tmp_path, fast, ROWS, 0), fast, 1)
    assert not hashes_keys(seen), "the first load should adopt the manifest's digest"
    assert (st_fast.inserted, st_fast.unchanged, st_fast.warnings) == (len(ROWS), 0, [])
    # the general path: a first load of one row, then the full snapshot merged by diff against it
    merge(db, *snapshot(tmp_path, general, ROWS[:1], 0), general, 2)
    with statements(db) as seen:
        st_gen = merge(db, *snapshot(tmp_path, general, ROWS, 0), general, 3)
    assert hashes_keys(seen), "the diff path hashes its new keys itself"
    assert (st_gen.inserted, st_gen.unchanged, st_gen.warnings) == (len(ROWS) - 1, 1, [])

    rows_fast, md_fast, recomputed_fast = current(db, fast)
    rows_gen, md_gen, recomputed_gen = current(db, general)
    assert rows_fast == rows_gen
    assert md_fast.key_digest == recomputed_fast == md_gen.key_digest == recomputed_gen
    assert md_fast.current_rows == len(ROWS)


def test_a_first_load_whose_manifest_counts_other_keys_hashes_them_itself(db, tmp_path):
    rid = f"il{next(_resellers)}"
    manifest, reader = snapshot(tmp_path, rid, ROWS, 0)
    ds = manifest.datasets[0]
    assert ds.keyset is not None and ds.keyset.digest is not None
    wrong = ds.keyset.model_copy(update={"count": ds.keyset.count + 1, "digest": "0" * 64})
    manifest = manifest.model_copy(update={"datasets": [ds.model_copy(update={"keyset": wrong})]})
    with statements(db) as seen:
        stats = merge(db, manifest, reader, rid, 1)
    assert hashes_keys(seen)
    assert any("key set mismatch" in w for w in stats.warnings)
    _, md, recomputed = current(db, rid)
    assert md.key_digest == recomputed != "0" * 64


FIELD = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6),
)
ROW = st.tuples(
    st.text(max_size=4, alphabet="0123456789-"),
    st.text(max_size=4).filter(lambda t: "\x00" not in t),
    FIELD,
    FIELD,
)
# layouts: the snapshot's columns among columns seen earlier (absent now: JSON null), some at the end
LAYOUTS = [
    ("id", "code", "name", "note"),
    ("id", "gone", "code", "name", "note"),
    ("id", "code", "name", "note", "gone", "later"),
    ("gone", "id", "code", "note", "name"),
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=12))
def test_fast_values_sql_is_values_sql_byte_for_byte(db, tmp_path, rows):
    manifest, _ = snapshot(tmp_path, "vals", [(1, "k", None, None)], 0)
    ds = manifest.datasets[0]
    with db() as s:
        s.execute(text("CREATE TEMP TABLE IF NOT EXISTS vals (c0 text, c1 text, c2 text, c3 text)"))
        s.execute(text("DELETE FROM vals"))
        s.execute(
            text("INSERT INTO vals VALUES (:a, :b, :c, :d)"), [dict(zip("abcd", r)) for r in rows]
        )
        for layout in LAYOUTS:
            state = SchemaState(1, tuple(ITEMS), tuple(KEY), layout)
            slow, fast = values_sql(s, ds, state), fast_values_sql(s, ds, state)
            pairs = s.execute(text(f"SELECT {slow}, {fast} FROM vals")).all()
            assert [a for a, _ in pairs] == [b for _, b in pairs], layout
        s.rollback()


def test_fast_values_sql_trims_trailing_nulls_like_values_sql(db, tmp_path):
    """A fixed case for reading: the trimmed forms, absent columns as null."""
    manifest, _ = snapshot(tmp_path, "vals", [(1, "k", None, None)], 0)
    ds = manifest.datasets[0]
    state = SchemaState(
        1, tuple(ITEMS), tuple(KEY), ("id", "gone", "code", "name", "note", "later")
    )
    with db() as s:
        q = text(
            f"SELECT {fast_values_sql(s, ds, state)} FROM (SELECT CAST(:a AS TEXT) AS c0, "
            "CAST(:b AS TEXT) AS c1, CAST(:c AS TEXT) AS c2, CAST(:d AS TEXT) AS c3) t"
        )
        got = [
            s.execute(q, dict(zip("abcd", r))).scalar_one()
            for r in [
                ("1", "k", None, None),
                ("1", "k", "n", None),
                ("1", "k", None, "o"),
                ("1", 'q"', "\\", "\n"),
            ]
        ]
    assert got == [
        '["1",null,"k"]',
        '["1",null,"k","n"]',
        '["1",null,"k",null,"o"]',
        '["1",null,"q\\"","\\\\","\\n"]',
    ]
