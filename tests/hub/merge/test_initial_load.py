"""The first load of a dataset takes fast paths; each must leave exactly the state the general path leaves.

* PostgreSQL: the rows COPYed straight into the new current table, its key
  built afterwards, the provenance from column defaults (``_load_directly``);
* the key-set digest adopted from the manifest instead of hashing every key again;
* the current table's generated key line, which must equal the stage's byte
  for byte, or the next snapshot would see every row as new.

Run on SQLite and PostgreSQL (the ``db`` fixture).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any, Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.merge import DatasetStats, merge_snapshot, tables
from hub.merge.dialect import current_keys_digest
from hub.merge.models import MergedDataset
from hub.merge.query import current_rows, every_version, record_history
from shared import keyset
from shared.manifest import Manifest
from shared.snapshot_reader import SnapshotReader
from tests.hub.merge.snapbuild import build, cols
from tests.hub.merge.sqllog import statements

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 1, 22, 0, tzinfo=UTC)
ITEMS = cols("id:integer!", "code:text!", "name:text", "note:text")
KEY = ["id", "code"]
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
) -> tuple[set[tuple[str, tuple[Any, ...]]], MergedDataset, str]:
    """(current rows as (key line, values), the merged-dataset row, the digest recomputed from the rows)."""
    with db() as s:
        rows = {(k, v.values) for k, v in every_version(s, rid, "items")[1] if v.valid_to is None}
        md = s.get(MergedDataset, (rid, "items"))
        assert md is not None
        s.expunge(md)
        n, digest = current_keys_digest(s, tables.of(rid, "items").current, keyset.DEFAULT)
        assert n == md.current_rows == len(rows)
        return rows, md, digest


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
    zero = keyset.text_of(keyset.DEFAULT, 0)
    wrong = ds.keyset.model_copy(update={"count": ds.keyset.count + 1, "digest": zero})
    manifest = manifest.model_copy(update={"datasets": [ds.model_copy(update={"keyset": wrong})]})
    with statements(db) as seen:
        stats = merge(db, manifest, reader, rid, 1)
    assert hashes_keys(seen)
    assert any("key set mismatch" in w for w in stats.warnings)
    _, md, recomputed = current(db, rid)
    assert md.key_digest == recomputed != zero


FIELD = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6),
)
ROW = st.tuples(
    st.integers(-(10**6), 10**6),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=4),
    FIELD,
    FIELD,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=12, unique_by=lambda r: (r[0], r[1])))
def test_a_first_load_reads_back_and_the_same_rows_again_change_nothing(db, tmp_path, rows):
    """Any texts (tabs, backslashes, newlines, non-ASCII): the first load's generated key line
    matches the stage's, so the same snapshot again finds every row unchanged."""
    rid = f"il{next(_resellers)}"
    first = merge(db, *snapshot(tmp_path, rid, rows, 0), rid, 1)
    again = merge(db, *snapshot(tmp_path, rid, rows, 1), rid, 2)
    assert (first.inserted, again.unchanged, again.inserted, again.updated) == (
        len(rows),
        len(rows),
        0,
        0,
    )
    with db() as s:
        assert sorted(current_rows(s, rid, "items", limit=None)[1]) == sorted(rows)
        for key, version in every_version(s, rid, "items")[1]:
            assert record_history(s, rid, "items", key)[1] == [version]
