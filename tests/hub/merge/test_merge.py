"""Merging snapshots: current state, history, deletes, exactly-once friendliness (SQLite + PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.merge import MergeStats, merge_snapshot
from hub.merge.query import (
    count_rows,
    current_rows,
    every_version,
    key_line,
    record_history,
    rows_as_of,
)
from shared.errors import DataError
from tests.hub.merge.snapbuild import build, cols

UTC = dt.timezone.utc
T1 = dt.datetime(2024, 3, 1, 22, 0, tzinfo=UTC)
T2 = dt.datetime(2024, 3, 2, 22, 0, tzinfo=UTC)
T3 = dt.datetime(2024, 3, 3, 22, 0, tzinfo=UTC)
T4 = dt.datetime(2024, 3, 4, 22, 0, tzinfo=UTC)
PRODUCTS = cols("id:integer!", "name:text", "price:decimal", "stock:integer")
V1 = [
    (1, "Chai", Decimal("18.00"), 39),
    (2, "Chang\ttab", Decimal("19.00"), 17),
    (3, "Aniseed \\ Syrup", Decimal("10.00"), 13),
    (4, "", None, 0),
]


def merge(
    db: sessionmaker[Session],
    tmp: Path,
    rows,
    at,
    kind="full",
    keys=None,
    sid=1,
    name="products",
    columns=PRODUCTS,
    key=("id",),
) -> MergeStats:
    manifest, reader = build(
        tmp,
        {name: (columns, list(key), rows)},
        kind=kind,
        created_at=at,
        keys={name: keys} if keys is not None else None,
    )
    with transaction(db) as s:
        return merge_snapshot(
            s,
            reseller_id="r1",
            snapshot_id=sid,
            manifest=manifest,
            reader=reader,
            received_at=at + dt.timedelta(minutes=5),
        )


def current(db: sessionmaker[Session], name: str = "products") -> list[tuple]:
    with db() as s:
        return current_rows(s, "r1", name, limit=None)[1]


def by_id(rows) -> list[tuple]:
    return sorted(rows, key=lambda r: r[0])


def test_first_full_snapshot_is_current_state(db, tmp_path):
    stats = merge(db, tmp_path, V1, T1)
    st = stats.datasets["products"]
    assert (st.inserted, st.updated, st.deleted, st.unchanged) == (4, 0, 0, 0)
    assert st.schema_changes == ["created"] and not st.warnings
    assert by_id(current(db)) == V1
    with db() as s:
        columns, rows = current_rows(s, "r1", "products", filters={"name": "Chang\ttab"})
        assert [c.name for c in columns] == ["id", "name", "price", "stock"]
        assert rows == [V1[1]]
        assert current_rows(s, "r1", "products", filters={"price": "10.00"})[1] == [V1[2]]
        assert current_rows(s, "r1", "products", filters={"name": ""})[1] == [V1[3]]
        assert count_rows(s, "r1", "products") == 4
        assert [r[0] for r in current_rows(s, "r1", "products", limit=2, offset=1)[1]] == [2, 3]


def test_remerging_identical_data_creates_no_version(db, tmp_path):
    merge(db, tmp_path, V1, T1, sid=1)
    again = merge(db, tmp_path, list(reversed(V1)), T2, sid=2).datasets["products"]
    assert (again.inserted, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 4)
    with db() as s:
        assert len(every_version(s, "r1", "products")[1]) == 4


def test_update_insert_delete_then_incremental_then_full_with_as_of(db, tmp_path):
    merge(db, tmp_path, V1, T1, sid=1)
    v2 = [
        V1[0],
        (2, "Chang\ttab", Decimal("21.50"), 17),
        V1[3],
        (5, "Chef Anton", Decimal("22.00"), 53),
    ]
    st = merge(db, tmp_path, v2, T2, sid=2).datasets["products"]
    assert (st.inserted, st.updated, st.deleted, st.unchanged) == (1, 1, 1, 2)
    assert by_id(current(db)) == by_id(v2)

    # incremental: id 5 changed, id 6 new, id 1 deleted at the source (absent from the key set)
    changes = [(5, "Chef Anton", Decimal("22.00"), 40), (6, "Gumbo", Decimal("21.35"), 0)]
    st = merge(
        db, tmp_path, changes, T3, kind="incremental", keys=[(2,), (4,), (5,), (6,)], sid=3
    ).datasets["products"]
    assert (st.inserted, st.updated, st.deleted, st.unchanged) == (1, 1, 1, 0)
    assert not st.warnings  # the hub's keys equal the source's key set, digest included
    v3 = [v2[1], v2[2], changes[0], changes[1]]
    assert by_id(current(db)) == by_id(v3)

    # full again: 3 comes back, 4 is gone
    v4 = [v3[0], v3[2], v3[3], V1[2]]
    st = merge(db, tmp_path, v4, T4, sid=4).datasets["products"]
    assert (st.inserted, st.updated, st.deleted, st.unchanged) == (1, 0, 1, 3)
    assert by_id(current(db)) == by_id(v4)

    with db() as s:
        for at, expected in (
            (T1, V1),
            (T2, v2),
            (T3, v3),
            (T4, v4),
            (T2 + dt.timedelta(hours=5), v2),
            (T1 - dt.timedelta(seconds=1), []),
        ):
            assert by_id(rows_as_of(s, "r1", "products", at, limit=None)[1]) == by_id(expected), at
        assert rows_as_of(s, "r1", "products", T2, filters={"id": "2"})[1] == [v2[1]]
        columns, versions = record_history(
            s, "r1", "products", key_line(PRODUCTS, ["id"], {"id": 2})
        )
        assert [v.values[2] for v in versions] == [Decimal("19.00"), Decimal("21.50")]
        assert [(v.valid_from, v.valid_to, v.snapshot_id) for v in versions] == [
            (T1, T2, 1),
            (T2, None, 2),
        ]
        assert versions[0].received_at == T1 + dt.timedelta(minutes=5)
        _, gone = record_history(s, "r1", "products", "1")
        assert [(v.valid_from, v.valid_to) for v in gone] == [(T1, T3)]


def test_incremental_without_key_set_part_only_upserts(db, tmp_path):
    merge(db, tmp_path, V1, T1, sid=1)
    manifest, reader = build(
        tmp_path,
        {"products": (PRODUCTS, ["id"], [(9, "New", None, 1)])},
        kind="incremental",
        created_at=T2,
    )
    with transaction(db) as s:
        st = merge_snapshot(
            s, reseller_id="r1", snapshot_id=2, manifest=manifest, reader=reader, received_at=T2
        ).datasets["products"]
    assert (st.inserted, st.deleted) == (1, 0)
    # the manifest's key set (computed from the one row) says 1 key; the hub holds 5: reported, not fatal
    assert any("key set mismatch" in w for w in st.warnings)
    assert len(current(db)) == 5


def test_composite_text_keys_with_escapes_match_the_agents_key_lines(db, tmp_path):
    lines_cols = cols("order:text!", "line:integer!", "qty:integer")
    rows = [("A\\1", 1, 5), ("A\t2", 1, 6), ("A\n3", 2, 7), ("é", 1, None)]
    st = merge(
        db, tmp_path, rows, T1, name="lines", columns=lines_cols, key=("order", "line")
    ).datasets["lines"]
    assert st.inserted == 4 and not st.warnings
    # an incremental whose key set drops one key: the escaped key lines must match the stored ones exactly
    keys = [(r[0], r[1]) for r in rows[1:]]
    st = merge(
        db,
        tmp_path,
        [],
        T2,
        kind="incremental",
        keys=keys,
        name="lines",
        columns=lines_cols,
        key=("order", "line"),
    ).datasets["lines"]
    assert (st.deleted, st.warnings) == (1, [])
    assert sorted(current(db, "lines")) == sorted(rows[1:])
    with db() as s:
        k = key_line(lines_cols, ["order", "line"], {"order": "A\t2", "line": 1})
        assert len(record_history(s, "r1", "lines", k)[1]) == 1


def test_duplicate_key_in_a_snapshot_is_a_data_error_and_nothing_is_applied(db, tmp_path):
    merge(db, tmp_path, V1, T1, sid=1)
    with pytest.raises(DataError, match="same key more than once"):
        merge(db, tmp_path, [(7, "a", None, 1), (7, "b", None, 2)], T2, sid=2)
    assert by_id(current(db)) == V1


@pytest.mark.parametrize(
    "dup", [(1, "a", None, 1), (7, "a", None, 1)], ids=["existing key", "new key"]
)
def test_duplicate_key_in_an_incremental_is_a_data_error_and_nothing_is_applied(db, tmp_path, dup):
    merge(db, tmp_path, V1, T1, sid=1)
    changed = [(dup[0], "b", None, 2), dup]
    with pytest.raises(DataError, match="same key more than once"):
        merge(db, tmp_path, changed, T2, kind="incremental", sid=2)
    assert by_id(current(db)) == V1


def test_wrong_reseller_is_refused(db, tmp_path):
    manifest, reader = build(
        tmp_path, {"products": (PRODUCTS, ["id"], V1)}, created_at=T1, reseller_id="r2"
    )
    with pytest.raises(DataError, match="belongs to reseller r2"), transaction(db) as s:
        merge_snapshot(
            s, reseller_id="r1", snapshot_id=1, manifest=manifest, reader=reader, received_at=T1
        )


def test_snapshot_older_than_the_last_merge_is_dated_at_the_last(db, tmp_path):
    merge(db, tmp_path, V1, T2, sid=1)
    st = merge(db, tmp_path, V1[:3], T1, sid=2).datasets["products"]
    assert st.deleted == 1 and "earlier than the last merged" in st.warnings[0]
    with db() as s:
        _, hist = record_history(s, "r1", "products", "4")
        assert [(v.valid_from, v.valid_to) for v in hist] == [(T2, T2)]


def test_many_rows_across_parts(db, tmp_path):
    rows = [(i, f"p{i}", Decimal(i) / 100, i % 7) for i in range(1, 2501)]
    manifest, reader = build(
        tmp_path, {"products": (PRODUCTS, ["id"], rows)}, created_at=T1, part_rows=1000
    )
    assert len(manifest.datasets[0].parts) == 3
    with transaction(db) as s:
        st = merge_snapshot(
            s, reseller_id="r1", snapshot_id=1, manifest=manifest, reader=reader, received_at=T1
        )
    assert st.datasets["products"].inserted == 2500 and not st.datasets["products"].warnings
    changed = [(r[0], r[1], r[2], r[3] + 1) if r[0] % 100 == 0 else r for r in rows[:-10]]
    st = merge(db, tmp_path, changed, T2, sid=2).datasets["products"]
    assert (st.inserted, st.updated, st.deleted, st.unchanged) == (0, 24, 10, 2466)
    assert by_id(current(db)) == changed
