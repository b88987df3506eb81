"""Format-2 snapshots at the merge: explicit deletes, a complete dataset inside an incremental,
digests-only datasets, and the key-set reconciliation that dates deletes at the push that first
disagreed (SQLite + PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.merge import DatasetStats, merge_snapshot, query
from hub.merge.models import MergedDataset
from tests.hub.merge.snapbuild import build, cols
from tests.hub.merge.sqllog import statements

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 3, 1, 22, 0, tzinfo=UTC)
ITEMS = cols("id:integer!", "name:text")
_resellers = itertools.count(1)


def push(
    db: sessionmaker[Session],
    tmp: Path,
    rid: str,
    day: int,
    rows: dict[int, str],
    *,
    kind: str = "incremental",
    mode: str = "rowhash",
    source: dict[int, str],
    deleted: list[int] = (),  # type: ignore[assignment]
    key_list: bool = False,
) -> DatasetStats:
    """Merge a format-2 snapshot: ``rows`` carried, ``source`` every row at the source (its keys' digest)."""
    manifest, reader = build(
        tmp,
        {"items": (ITEMS, ["id"], [(k, v) for k, v in rows.items()])},
        kind=kind,
        created_at=T0 + dt.timedelta(days=day),
        reseller_id=rid,
        format=2,
        mode=mode,
        keys={"items": [(k,) for k in source]},
        deleted={"items": [(k,) for k in deleted]},
        key_list=key_list,
    )
    received = T0 + dt.timedelta(days=day, minutes=5)
    where = {"reseller_id": rid, "snapshot_id": day + 1, "received_at": received}
    with transaction(db) as s:
        stats = merge_snapshot(s, manifest=manifest, reader=reader, **where)  # type: ignore[arg-type]
    return stats.datasets["items"]


def current(db: sessionmaker[Session], rid: str, at: dt.datetime | None = None) -> dict[int, Any]:
    with db() as s:
        _cols, rows = query.iter_rows(s, rid, "items", at=at)
        return {r[0]: r[1] for r in rows}


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def test_explicit_deletes_and_digests_only(db, tmp_path):
    rid = f"f2-{next(_resellers)}"
    src = {1: "a", 2: "b", 3: "c"}
    first = push(db, tmp_path, rid, 0, src, kind="full", mode="full", source=src)
    assert first.inserted == 3 and first.request == ""
    src2 = {1: "a", 3: "C", 4: "d"}  # 2 deleted, 3 changed, 4 new
    st = push(db, tmp_path, rid, 1, {3: "C", 4: "d"}, source=src2, deleted=[2])
    assert (st.inserted, st.updated, st.deleted, st.delete_check) == (1, 1, 1, "keys")
    assert st.warnings == [] and st.request == "" and current(db, rid) == src2
    quiet = push(
        db, tmp_path, rid, 2, {}, source=src2
    )  # nothing changed: the digest is all it sends
    assert (quiet.inserted, quiet.updated, quiet.deleted, quiet.warnings) == (0, 0, 0, [])
    with db() as s:
        _c, versions = query.record_history(s, rid, "items", "2")
        assert [(v.valid_from, v.valid_to) for v in versions] == [(day(0), day(1))]


def test_a_full_mode_dataset_inside_an_incremental_closes_what_it_lacks(db, tmp_path):
    rid = f"f2-{next(_resellers)}"
    src = {1: "a", 2: "b"}
    push(db, tmp_path, rid, 0, src, kind="full", mode="full", source=src)
    st = push(db, tmp_path, rid, 1, {1: "a"}, mode="full", source={1: "a"})
    assert (st.deleted, st.delete_check) == (1, "full") and current(db, rid) == {1: "a"}


def test_a_disagreeing_digest_asks_for_keys_and_the_delete_is_dated_at_that_push(db, tmp_path):
    rid = f"f2-{next(_resellers)}"
    src = {1: "a", 2: "b", 3: "c"}
    push(db, tmp_path, rid, 0, src, kind="full", mode="full", source=src)
    # day 1: key 2 is gone at the source, but the snapshot does not say so (a lost delete)
    lost = push(db, tmp_path, rid, 1, {}, source={1: "a", 3: "c"})
    assert lost.request == "keys" and "key list" in lost.warnings[0]
    with db() as s:
        md = s.get(MergedDataset, (rid, "items"))
        assert md is not None and md.keys_mismatch_since == day(1)
    # day 2: key 3 deleted (listed), and the whole key list the hub asked for
    fixed = push(db, tmp_path, rid, 2, {}, source={1: "a"}, deleted=[3], key_list=True)
    assert (fixed.deleted, fixed.request, fixed.warnings) == (2, "", [])
    assert current(db, rid) == {1: "a"}
    with db() as s:
        _c, two = query.record_history(s, rid, "items", "2")
        _c, three = query.record_history(s, rid, "items", "3")
        md = s.get(MergedDataset, (rid, "items"))
        assert md is not None and md.keys_mismatch_since is None
    assert two[0].valid_to == day(1)  # the push whose digest first disagreed, not day 2
    assert three[0].valid_to == day(2)  # listed as deleted on day 2
    assert current(db, rid, at=day(1) + dt.timedelta(hours=1)) == {1: "a", 3: "c"}


def test_keys_the_hub_lacks_ask_for_a_full_snapshot(db, tmp_path):
    rid = f"f2-{next(_resellers)}"
    src = {1: "a"}
    push(db, tmp_path, rid, 0, src, kind="full", mode="full", source=src)
    missing = push(db, tmp_path, rid, 1, {}, source={1: "a", 2: "b"})  # row 2 never arrived
    assert missing.request == "full" and "full snapshot" in missing.warnings[0]
    healed = push(
        db, tmp_path, rid, 2, {1: "a", 2: "b"}, kind="full", mode="full", source={1: "a", 2: "b"}
    )
    assert healed.request == "" and current(db, rid) == {1: "a", 2: "b"}
    with db() as s:
        md = s.get(MergedDataset, (rid, "items"))
        assert md is not None and md.keys_mismatch_since is None


def test_a_key_list_that_agrees_with_the_hubs_digest_is_not_staged(db, tmp_path):
    """The agent sends its whole key list when its ledger disagreed; when the hub's keys after
    the merge already have the source's digest and count, nothing can be missing: the list is
    not loaded and anti-joined with every current key (≈ 1 s per 1M keys)."""
    rid = f"f2-{next(_resellers)}"
    src = {1: "a", 2: "b", 3: "c"}
    push(db, tmp_path, rid, 0, src, kind="full", mode="full", source=src)
    now = {1: "a", 2: "B", 3: "c", 4: "d"}
    with statements(db) as seen:
        st_ = push(db, tmp_path, rid, 1, {2: "B", 4: "d"}, source=now, key_list=True)
    assert (st_.inserted, st_.updated, st_.deleted, st_.delete_check) == (1, 1, 0, "keys")
    assert not any("merge_keys" in sql for sql in seen)
    assert current(db, rid) == now
    # the same list with a key the source lacks is staged, and the key closed
    with statements(db) as seen:
        gone = push(db, tmp_path, rid, 2, {}, source={1: "a", 2: "B", 4: "d"}, key_list=True)
    assert (gone.deleted, gone.request) == (1, "")
    assert any("merge_keys" in sql for sql in seen)
    assert current(db, rid) == {1: "a", 2: "B", 4: "d"}
