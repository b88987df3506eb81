"""Which rows a snapshot changes: a field differs, NULL told apart from every text, by layout.

Unchanged rows write nothing; a changed field makes a new version and moves
the old one to history; a column renamed at the source moves its values in
the stored layout, so the same texts under another name are a change.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.core.db import transaction
from hub.merge import merge_snapshot
from hub.merge.query import current_rows, every_version, record_history, rows_as_of
from tests.hub.merge.snapbuild import build, cols

UTC = dt.timezone.utc
T1, T2, T3 = (dt.datetime(2024, 6, d, tzinfo=UTC) for d in (1, 2, 3))
ITEMS = cols("id:integer!", "name:text", "note:text")
ROWS = [(1, "Chai", "a\tb\\c"), (2, "", None), (3, "Ñandú 🍵", "x:y")]


def merge(db, tmp, columns, rows, at, sid, kind="full"):
    manifest, reader = build(tmp, {"items": (columns, ["id"], rows)}, created_at=at, kind=kind)
    with transaction(db) as s:
        return merge_snapshot(
            s, reseller_id="r1", snapshot_id=sid, manifest=manifest, reader=reader, received_at=at
        ).datasets["items"]


def versions(db) -> int:
    with db() as s:
        return len(every_version(s, "r1", "items")[1])


def test_same_rows_again_write_nothing_and_changes_still_version(db, tmp_path):
    merge(db, tmp_path, ITEMS, ROWS, T1, 1)
    again = merge(db, tmp_path, ITEMS, ROWS, T2, 2)
    assert (again.unchanged, again.inserted, again.updated, again.deleted) == (3, 0, 0, 0)
    assert versions(db) == 3
    changed = merge(db, tmp_path, ITEMS, [(1, "Chai", "a\tb\\c "), (2, "", None)], T3, 3)
    assert (changed.unchanged, changed.updated, changed.deleted) == (1, 1, 1)
    with db() as s:
        assert [r[2] for r in current_rows(s, "r1", "items", limit=None)[1]] == ["a\tb\\c ", None]


def test_incremental_mixing_new_changed_and_unchanged_rows(db, tmp_path):
    merge(db, tmp_path, ITEMS, ROWS, T1, 1)
    rows = [(1, "Chai", "new note"), (2, "", None), (3, "Ñandú 🍵", "x:y"), (4, "Ikura", None)]
    st2 = merge(db, tmp_path, ITEMS, rows, T2, 2, "incremental")
    assert (st2.inserted, st2.updated, st2.unchanged, st2.deleted) == (1, 1, 2, 0)
    assert versions(db) == 5
    with db() as s:
        assert sorted(current_rows(s, "r1", "items", limit=None)[1]) == rows
        _, hist = record_history(s, "r1", "items", "1")
        assert [(v.values[2], v.valid_from, v.valid_to, v.snapshot_id) for v in hist] == [
            (ROWS[0][2], T1, T2, 1),
            ("new note", T2, None, 2),
        ]
        assert rows_as_of(s, "r1", "items", T1 + dt.timedelta(hours=1), limit=None)[1] == ROWS


def test_same_fields_under_a_renamed_column_are_a_new_version(db, tmp_path):
    """`note` dropped and `remark` added with the very same field texts: the stored layout moved them."""
    merge(db, tmp_path, ITEMS, ROWS, T1, 1)
    renamed = cols("id:integer!", "name:text", "remark:text")
    st2 = merge(db, tmp_path, renamed, ROWS, T2, 2)
    assert st2.updated == 2 and st2.unchanged == 1  # row 2 has NULL in both: same values by layout
    with db() as s:
        _, hist = record_history(s, "r1", "items", "1")
        # read with today's columns: the first version had no `remark`
        assert [v.values for v in hist] == [(1, "Chai", None), (1, "Chai", "a\tb\\c")]
        old = rows_as_of(s, "r1", "items", T1 + dt.timedelta(hours=1), limit=None)[1]
        assert old[0] == (1, "Chai", "a\tb\\c")  # as of then, with then's columns: it was `note`


FIELD = st.one_of(
    st.none(),
    st.sampled_from(["", "N", "\\N", "null", "a\tb"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=3),
)
_sids = iter(range(100, 10**6))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=st.tuples(FIELD, FIELD), b=st.tuples(FIELD, FIELD))
def test_a_row_is_changed_exactly_when_a_field_differs(db, tmp_path, a, b):
    sid = next(_sids)
    rid = f"cd{sid}"
    for n, row in enumerate((a, b)):
        manifest, reader = build(
            tmp_path / str(sid + n),
            {"items": (ITEMS, ["id"], [(1, *row)])},
            created_at=T1 + dt.timedelta(days=n),
            reseller_id=rid,
        )
        with transaction(db) as s:
            st_ = merge_snapshot(
                s, reseller_id=rid, snapshot_id=sid + n, manifest=manifest, reader=reader,
                received_at=T1,
            ).datasets["items"]  # fmt: skip
    assert (st_.updated, st_.unchanged) == ((1, 0) if a != b else (0, 1))
    with db() as s:
        assert current_rows(s, rid, "items")[1] == [(1, *b)]
