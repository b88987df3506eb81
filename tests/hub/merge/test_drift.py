"""Schema drift: absorbed changes version the schema, incompatible ones refuse the snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hub.core.db import transaction
from hub.merge import IncompatibleSchema, merge_snapshot
from hub.merge.query import current_rows, record_history, rows_as_of
from hub.merge.schema import compare
from hub.merge.store import schema_history
from tests.hub.merge.snapbuild import build, cols

UTC = dt.timezone.utc
T1, T2, T3 = (dt.datetime(2024, 5, d, tzinfo=UTC) for d in (1, 2, 3))


def merge(db, tmp, columns, rows, at, key=("id",), sid=1):
    manifest, reader = build(tmp, {"items": (columns, list(key), rows)}, created_at=at)
    with transaction(db) as s:
        return merge_snapshot(
            s, reseller_id="r1", snapshot_id=sid, manifest=manifest, reader=reader, received_at=at
        ).datasets["items"]


def test_added_nullable_column_versions_the_schema_not_the_rows(db, tmp_path):
    c1 = cols("id:integer!", "qty:integer")
    merge(db, tmp_path, c1, [(1, 5), (2, 6)], T1)
    c2 = cols("id:integer!", "qty:integer", "note:text")
    st = merge(db, tmp_path, c2, [(1, 5, None), (2, 6, "new")], T2, sid=2)
    assert st.schema_version == 2 and st.schema_changes == ["added column note (text)"]
    assert (st.updated, st.unchanged) == (1, 1)  # only the row whose new column has a value
    with db() as s:
        columns, rows = current_rows(s, "r1", "items")
        assert [c.name for c in columns] == ["id", "qty", "note"]
        assert sorted(rows) == [(1, 5, None), (2, 6, "new")]
        columns, old = rows_as_of(s, "r1", "items", T1)  # the schema in force then
        assert [c.name for c in columns] == ["id", "qty"] and sorted(old) == [(1, 5), (2, 6)]
        assert [h.changes for h in schema_history(s, "r1", "items")] == [
            "created",
            "added column note (text)",
        ]


def test_dropped_column_is_recorded_and_history_keeps_its_values(db, tmp_path):
    merge(db, tmp_path, cols("id:integer!", "qty:integer", "secret:text"), [(1, 5, "x")], T1)
    st = merge(db, tmp_path, cols("id:integer!", "qty:integer"), [(1, 5)], T2, sid=2)
    assert st.schema_changes == ["dropped column secret"] and st.updated == 1
    with db() as s:
        assert current_rows(s, "r1", "items")[1] == [(1, 5)]
        assert rows_as_of(s, "r1", "items", T1)[1] == [(1, 5, "x")]
    # re-adding the column reuses its storage position
    st = merge(
        db, tmp_path, cols("id:integer!", "qty:integer", "secret:text"), [(1, 5, "x")], T3, sid=3
    )
    assert st.schema_version == 3
    with db() as s:
        assert current_rows(s, "r1", "items")[1] == [(1, 5, "x")]


def test_widened_types_are_absorbed_and_old_values_read_as_the_new_type(db, tmp_path):
    merge(
        db,
        tmp_path,
        cols("id:integer!", "price:integer", "day:date"),
        [(1, 5, dt.date(2024, 1, 2))],
        T1,
    )
    st = merge(
        db,
        tmp_path,
        cols("id:integer!", "price:decimal", "day:timestamp"),
        [(1, Decimal("5.50"), dt.datetime(2024, 1, 2, 10, 0))],
        T2,
        sid=2,
    )
    assert sorted(st.schema_changes) == [
        "widened day: date → timestamp",
        "widened price: integer → decimal",
    ]
    with db() as s:
        _, versions = record_history(s, "r1", "items", "1")
        assert [v.values for v in versions] == [
            (1, Decimal("5"), dt.datetime(2024, 1, 2)),
            (1, Decimal("5.50"), dt.datetime(2024, 1, 2, 10)),
        ]


@pytest.mark.parametrize(
    "new_cols, key, reason",
    [
        (("id:integer!", "name:integer"), ("id",), "column 'name' changed type text → integer"),
        (("id:integer!", "name:text"), ("name",), "key columns changed from ['id'] to ['name']"),
        (("id:text!", "name:text"), ("id",), None),  # integer → text is a widening
    ],
)
def test_incompatible_change_is_refused_and_nothing_applied(db, tmp_path, new_cols, key, reason):
    merge(db, tmp_path, cols("id:integer!", "name:text"), [(1, "7")], T1)
    row = [
        ("1" if new_cols[0].startswith("id:text") else 1, 7 if "name:integer" in new_cols else "8")
    ]
    if reason is None:
        assert merge(db, tmp_path, cols(*new_cols), row, T2, key=key, sid=2).updated == 1
        return
    with pytest.raises(IncompatibleSchema) as err:
        merge(db, tmp_path, cols(*new_cols), row, T2, key=key, sid=2)
    assert reason in str(err.value) and err.value.context["dataset"] == "items"
    with db() as s:
        assert current_rows(s, "r1", "items")[1] == [(1, "7")]
        assert len(schema_history(s, "r1", "items")) == 1


def test_compare_is_a_no_op_for_the_same_schema():
    c = cols("id:integer!", "name:text")
    first = compare(None, c, ["id"], reseller_id="r", dataset="d")
    again = compare(first.state, c, ["id"], reseller_id="r", dataset="d")
    assert not again.bumped and again.state is first.state
