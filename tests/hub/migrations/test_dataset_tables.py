"""merge_0009 moves a hub's merged versions from ``record_versions`` into each dataset's current
and history tables (issue #23), losing nothing, and back on downgrade.

A hub at merge_0008 gets versions written by SQL as the old merge stored them (values as a JSON
array by layout, trailing NULLs trimmed; the key as a COPY text line), then upgrades; every
field, key and timestamp is read back from the new tables by plain SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from hub.core.db import UTCDateTime, make_engine
from hub.core.migrate import alembic_config, upgrade
from hub.merge import tables
from shared.errors import DataError
from tests.hub.schemakit import upgrade_all_but

UTC = dt.timezone.utc
TAB_KEY = "B\t2\\x"  # a text key with a tab and a backslash


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 15, 30, 123456 + day * 100 + hour, tzinfo=UTC)


def copy_key(*fields: str | None) -> str:
    """The key line as COPY text (written here independently of the code under test)."""
    escapes: tuple[tuple[str, str], ...] = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"))
    escapes += (("\r", "\\r"), ("\b", "\\b"), ("\f", "\\f"), ("\v", "\\v"))

    def one(f: str | None) -> str:
        if f is None:
            return "\\N"
        for raw, esc in escapes:
            f = f.replace(raw, esc)
        return f

    return "\t".join(one(f) for f in fields)


# (reseller, dataset): layouts oldest first, the newest schema's key columns
DATASETS: dict[tuple[str, str], tuple[list[list[str]], list[str]]] = {
    ("toko-a", "products"): (
        [["sku", "name", "price"], ["sku", "name", "price", "stock"]],
        ["sku"],
    ),
    # the newest key has two columns, not in layout order (region, then code)
    ("toko-a", "customers"): ([["code", "name"], ["code", "name", "region"]], ["region", "code"]),
    ("toko-b", "products"): ([["sku", "name", "price"]], ["sku"]),
    ("toko-b", "empty"): ([["id"]], ["id"]),
}
# (reseller, dataset, values by the newest layout (trailing NULLs trimmed), valid_from, valid_to,
# snapshot_id, received_at)
VERSIONS: list[tuple[str, str, list[str | None], dt.datetime, dt.datetime | None, int, dt.datetime]]
VERSIONS = [
    ("toko-a", "products", ["A-1", "Teh", "12000"], at(1, 1), at(2, 1), 1, at(1, 2)),
    ("toko-a", "products", ["A-1", "Teh\nhijau", "12500", "7"], at(2, 1), None, 2, at(2, 3)),
    ("toko-a", "products", [TAB_KEY, None, "9000"], at(1, 1), None, 1, at(1, 2)),  # layout grew
    ("toko-a", "products", ["C-3", None, None, "1"], at(1, 1), at(3, 4), 1, at(1, 2)),
    ("toko-a", "customers", ["K-1", "Budi", "Jawa"], at(1, 5), None, 3, at(1, 6)),
    ("toko-a", "customers", ["K-2", "Sari ☕"], at(1, 5), None, 3, at(1, 6)),  # region NULL
    ("toko-a", "customers", ["K-2", "Sari"], at(1, 4), at(1, 5), 2, at(1, 4)),
    ("toko-b", "products", ["A-1", "Kopi", "5000"], at(4, 9), None, 7, at(4, 10)),
]


def _key(reseller: str, dataset: str, values: list[str | None]) -> str:
    layouts, key = DATASETS[reseller, dataset]
    padded = values + [None] * len(layouts[-1])
    return copy_key(*(padded[layouts[-1].index(k)] for k in key))


def _rows(closed: bool) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
    """Per dataset, what its current (or history) table must hold, sorted by key."""
    out: dict[tuple[str, str], list[tuple[Any, ...]]] = {ds: [] for ds in DATASETS}
    for r, d, values, start, end, sid, recv in VERSIONS:
        if (end is not None) == closed:
            width = len(DATASETS[r, d][0][-1])
            fields = tuple(values + [None] * (width - len(values)))
            end_ = (end,) if closed else ()
            out[r, d].append((*fields, _key(r, d, values), start, *end_, sid, recv))
    return {
        ds: sorted(rows, key=lambda row: row[len(DATASETS[ds][0][-1]) :])
        for ds, rows in out.items()
    }


OLD = sa.table(
    "record_versions",
    *(sa.column(c) for c in ("reseller_id", "dataset", "row_key", "row_values", "row_hash")),
    *(sa.column(c, UTCDateTime()) for c in ("valid_from", "valid_to", "received_at")),
    sa.column("snapshot_id"),
)
SCHEMAS = sa.table(
    "dataset_schemas",
    *(sa.column(c) for c in ("reseller_id", "dataset", "version", "columns", "key", "layout")),
    *(sa.column(c) for c in ("changes", "snapshot_id")),
    *(sa.column(c, UTCDateTime()) for c in ("valid_from", "first_seen_at")),
)
MERGED = sa.table(
    "merged_datasets",
    *(sa.column(c) for c in ("reseller_id", "dataset", "schema_version", "last_snapshot_id")),
    *(sa.column(c, UTCDateTime()) for c in ("last_source_at", "last_received_at")),
    sa.column("current_rows"),
)


def _old_versions() -> list[dict[str, Any]]:
    return [
        {
            "reseller_id": r,
            "dataset": d,
            "row_key": _key(r, d, values),
            "row_values": json.dumps(values, separators=(",", ":"), ensure_ascii=False),
            "row_hash": f"h{i}",
            "valid_from": start,
            "valid_to": end,
            "snapshot_id": sid,
            "received_at": recv,
        }
        for i, (r, d, values, start, end, sid, recv) in enumerate(VERSIONS)
    ]


def _at_merge_0008(engine: Engine) -> Engine:
    """``engine``'s hub at merge_0008 (every other chain at its head), VERSIONS in record_versions."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        assert upgrade_all_but(cfg, {"merge_0009"}) == {"merge_0009"}
    with engine.begin() as conn:
        for (r, d), (layouts, key) in DATASETS.items():
            current = [v for v in VERSIONS if v[:2] == (r, d) and v[4] is None]
            for version, layout in enumerate(layouts, 1):
                conn.execute(
                    SCHEMAS.insert().values(
                        reseller_id=r, dataset=d, version=version, columns="[]",
                        key=json.dumps(key if version == len(layouts) else layout[:1]),
                        layout=json.dumps(layout), changes="", snapshot_id=version,
                        valid_from=at(1, 0), first_seen_at=at(1, 0),
                    )
                )  # fmt: skip
            conn.execute(
                MERGED.insert().values(
                    reseller_id=r, dataset=d, schema_version=len(layouts), last_snapshot_id=7,
                    last_source_at=at(4, 9), last_received_at=at(4, 10), current_rows=len(current),
                )
            )  # fmt: skip
        conn.execute(OLD.insert(), _old_versions())
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def old_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_database"))
    try:
        yield _at_merge_0008(engine)
    finally:
        engine.dispose()


def _table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _read(conn: sa.Connection, table: str, width: int, closed: bool) -> list[tuple[Any, ...]]:
    times = ("valid_from", "valid_to") if closed else ("valid_from",)
    cols = [*tables.fields(width), "k", *times, "snapshot_id", "received_at"]
    typed = {c: UTCDateTime() for c in (*times, "received_at")}
    sql = text(f"SELECT {', '.join(cols)} FROM {table}").columns(**typed)
    return sorted((tuple(row) for row in conn.execute(sql)), key=lambda row: row[width:])


def test_every_version_arrives_in_its_datasets_tables_and_goes_back(old_hub: Engine) -> None:
    before = _table_names(old_hub)
    assert "record_versions" in before
    assert not [n for n in before if n.startswith(("ds_cur_", "ds_hist_"))]

    upgrade(old_hub)

    names = _table_names(old_hub)
    assert "record_versions" not in names
    made = {tables.of(r, d) for r, d in DATASETS}
    assert {n for n in names if n.startswith("ds_")} == {
        n for t in made for n in (t.current, t.history)
    }
    current, history = _rows(closed=False), _rows(closed=True)
    with old_hub.connect() as conn:
        for (r, d), (layouts, _) in DATASETS.items():
            t, width = tables.of(r, d), len(layouts[-1])
            assert _read(conn, t.current, width, closed=False) == current[r, d], (r, d)
            assert _read(conn, t.history, width, closed=True) == history[r, d], (r, d)
    # a sample of the expectation, spelled out: the tab key, a NULL inside and past the old layout
    assert current["toko-a", "products"][1][:5] == ("B\t2\\x", None, "9000", None, "B\\t2\\\\x")
    assert current["toko-a", "customers"][1][:4] == ("K-2", "Sari ☕", None, "\\N\tK-2")
    # the current table is keyed (the key index was built after the copy)
    t = tables.of("toko-a", "products")
    with pytest.raises(IntegrityError), old_hub.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO {t.current} (c0, valid_from, snapshot_id, received_at) "
                "SELECT c0, valid_from, snapshot_id, received_at FROM "
                f"{t.current} WHERE c0 = 'A-1'"
            )
        )

    cfg = alembic_config()
    with old_hub.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "merge_0008")

    names = _table_names(old_hub)
    assert "record_versions" in names and not [n for n in names if n.startswith("ds_")]
    cols = "reseller_id, dataset, row_key, row_values, row_hash, valid_from, valid_to, snapshot_id, received_at"
    typed = {c: UTCDateTime() for c in ("valid_from", "valid_to", "received_at")}
    with old_hub.connect() as conn:
        back = conn.execute(text(f"SELECT {cols} FROM record_versions").columns(**typed)).all()
        indexes = {i["name"]: i for i in inspect(conn).get_indexes("record_versions")}
        if old_hub.dialect.name == "postgresql":
            options = conn.scalar(
                text("SELECT reloptions FROM pg_class WHERE relname = 'record_versions'")
            )
            collation = conn.scalar(
                text(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_name = 'record_versions' AND column_name = 'row_key'"
                )
            )
            assert (options, collation) == (["fillfactor=90"], "C")
    expected = [{**v, "row_hash": None} for v in _old_versions()]
    assert sorted(map(dict, (r._mapping for r in back)), key=repr) == sorted(expected, key=repr)
    assert set(indexes) == {"uq_record_versions_current", "ix_record_versions_closed"}
    assert indexes["uq_record_versions_current"]["unique"]

    assert "merge_0009" in upgrade(old_hub)  # and up again, from what the downgrade left
    with old_hub.connect() as conn:
        t = tables.of("toko-a", "products")
        assert _read(conn, t.current, 4, closed=False) == current["toko-a", "products"]


def _refused(engine: Engine) -> str:
    """Upgrade, expecting a refusal that changed nothing; returns its text."""
    with pytest.raises(DataError) as refused:
        upgrade(engine)
    names = _table_names(engine)
    assert "record_versions" in names and not [n for n in names if n.startswith("ds_")]
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM record_versions")) == len(VERSIONS)
        versions = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    assert "merge_0009" not in versions
    return str(refused.value)


def test_a_stored_key_its_fields_do_not_give_stops_the_upgrade(old_hub: Engine) -> None:
    """The new tables derive the key from the fields: a row stored under another key (here the
    tab unescaped) would be found under a new one, so the upgrade refuses and names it."""
    with old_hub.begin() as conn:
        conn.execute(text("UPDATE record_versions SET row_key = :raw WHERE row_key = :k"),
                     {"raw": TAB_KEY, "k": copy_key(TAB_KEY)})  # fmt: skip
    message = _refused(old_hub)
    assert "dataset products of reseller toko-a: 1 current version(s)" in message
    assert "key columns sku" in message and repr(copy_key(TAB_KEY)) in message
    assert "nothing was changed" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            'UPDATE record_versions SET row_values = \'["A-1","Kopi","5000","x"]\' '
            "WHERE reseller_id = 'toko-b'",
            "dataset products of reseller toko-b: 1 version(s) have more fields than the newest "
            "schema's layout (3 columns)",
        ),
        (
            "DELETE FROM merged_datasets WHERE dataset = 'customers'",
            "datasets that merged_datasets does not list: customers of reseller toko-a (3 rows)",
        ),
        (
            "DELETE FROM dataset_schemas WHERE reseller_id = 'toko-b' AND dataset = 'empty'",
            "dataset empty of reseller toko-b has no schema in dataset_schemas",
        ),
    ],
    ids=["more fields than the layout", "versions of no dataset", "no schema"],
)
def test_what_would_not_arrive_intact_stops_the_upgrade(
    tmp_path: Path, change: str, expected: str
) -> None:
    engine = _at_merge_0008(make_engine(f"sqlite:///{tmp_path / 'hub.db'}"))
    try:
        with engine.begin() as conn:
            conn.execute(text(change))
        assert expected in _refused(engine)
    finally:
        engine.dispose()
