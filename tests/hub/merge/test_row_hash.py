"""The row hash that lets the merge skip unchanged rows: safe on both databases (each has its own definition).

Safe means: a hash only ever *skips* work when the fields and their mapping to
the stored layout are the same; rows without a hash (written before
merge_0003) or under another mapping are compared by their values.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from hub.core.db import transaction
from hub.merge import merge_snapshot
from hub.merge.query import current_rows, record_history, rows_as_of
from hub.merge.rowsql import hash_sql, python_row_hash, signature
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
        return s.execute(text("SELECT count(*) FROM record_versions")).scalar_one()


def test_same_rows_again_write_nothing_and_changes_still_version(db, tmp_path):
    merge(db, tmp_path, ITEMS, ROWS, T1, 1)
    again = merge(db, tmp_path, ITEMS, ROWS, T2, 2)
    assert (again.unchanged, again.inserted, again.updated, again.deleted) == (3, 0, 0, 0)
    assert versions(db) == 3
    changed = merge(db, tmp_path, ITEMS, [(1, "Chai", "a\tb\\c "), (2, "", None)], T3, 3)
    assert (changed.unchanged, changed.updated, changed.deleted) == (1, 1, 1)
    with db() as s:
        assert [r[2] for r in current_rows(s, "r1", "items", limit=None)[1]] == ["a\tb\\c ", None]


@pytest.mark.parametrize(
    "kind", ["full", "incremental"]
)  # PostgreSQL: incrementals take their own path
def test_rows_without_a_hash_are_compared_by_value_once_then_get_one(db, tmp_path, kind):
    merge(db, tmp_path, ITEMS, ROWS, T1, 1)
    with transaction(db) as s:  # as left by merge_0002: no hashes
        s.execute(text("UPDATE record_versions SET row_hash = NULL"))
    again = merge(db, tmp_path, ITEMS, ROWS, T2, 2, kind)
    assert (again.unchanged, again.updated, again.inserted) == (3, 0, 0)
    with db() as s:
        assert (
            s.execute(
                text("SELECT count(*) FROM record_versions WHERE row_hash IS NULL")
            ).scalar_one()
            == 0
        )
    assert versions(db) == 3


def test_incremental_mixing_new_changed_rehashed_and_unchanged_rows(db, tmp_path):
    merge(db, tmp_path, ITEMS, ROWS, T1, 1)
    with transaction(db) as s:  # row 2 as written before hashes existed
        s.execute(text("UPDATE record_versions SET row_hash = NULL WHERE row_key = '2'"))
    rows = [(1, "Chai", "new note"), (2, "", None), (3, "Ñandú 🍵", "x:y"), (4, "Ikura", None)]
    st2 = merge(db, tmp_path, ITEMS, rows, T2, 2, "incremental")
    assert (st2.inserted, st2.updated, st2.unchanged, st2.deleted) == (1, 1, 2, 0)
    assert versions(db) == 5
    with db() as s:
        assert (
            s.execute(
                text("SELECT count(*) FROM record_versions WHERE row_hash IS NULL")
            ).scalar_one()
            == 0
        )
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


def test_signature_depends_on_the_values_expression():
    assert signature("a") != signature("b") and len(signature("a")) == 16


def test_python_hash_is_injective_on_field_boundaries():
    sig = signature("x")
    assert python_row_hash(sig, ["ab", "c"]) != python_row_hash(sig, ["a", "bc"])
    assert python_row_hash(sig, [None, "x"]) != python_row_hash(sig, ["N", "x"])
    assert python_row_hash(sig, ["", "x"]) != python_row_hash(sig, [None, "x"])


fields = st.lists(
    st.one_of(
        st.none(), st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
    ),
    min_size=1,
    max_size=4,
)


def _pg_hashes(dsn: str, sig: str, rows: list[list[str | None]]) -> list[str]:
    import psycopg

    with psycopg.connect(dsn) as con:
        out = []
        for row in rows:
            cols_sql = ", ".join(f"%s::text AS c{i}" for i in range(len(row)))
            got = con.execute(
                f"SELECT {hash_sql(len(row), sig)} FROM (SELECT {cols_sql}) t", row
            ).fetchone()
            assert got is not None and got[0] is not None
            out.append(got[0])
        return out


@pytest.mark.postgres
def test_postgresql_hash_tells_field_boundaries_nulls_and_mappings_apart(pg_database):
    sig, other = signature("x"), signature("y")
    rows = [
        ["ab", "c"],
        ["a", "bc"],
        [None, "x"],
        ["n", "x"],
        ["", "x"],
        ["v", "x"],
        ["", None],
        [None, ""],
    ]
    hashes = _pg_hashes(pg_database, sig, rows)
    assert len(set(hashes)) == len(rows)
    assert _pg_hashes(pg_database, sig, [["ab", "c"]]) == hashes[:1]  # deterministic
    assert (
        _pg_hashes(pg_database, other, [["ab", "c"]]) != hashes[:1]
    )  # another mapping: another hash


@pytest.mark.postgres
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=fields, b=fields)
def test_postgresql_hash_is_equal_exactly_for_equal_fields(pg_database, a, b):
    sig = signature("anything")
    ha, hb = _pg_hashes(pg_database, sig, [a, b])
    assert (ha == hb) == (a == b)
