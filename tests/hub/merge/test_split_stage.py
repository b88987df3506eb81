"""A big PostgreSQL stage loaded over two connections (hub.merge.split_stage) merges exactly as one.

The split starts at ``SPLIT_STAGE_ROWS`` rows; here that threshold is lowered
so small snapshots of many parts take the split path, and each result is
compared with the same snapshots merged through one connection.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any, Sequence

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import make_engine, session_factory, transaction
from hub.core.migrate import upgrade
from hub.merge import dialect, merge_snapshot, split_stage
from hub.merge.models import MergedDataset
from hub.merge.query import every_version
from shared.errors import DataError
from shared.manifest import Manifest
from shared.snapshot import SnapshotWriter
from shared.snapshot_reader import SnapshotReader
from tests.hub.merge.snapbuild import build, cols, lines
from tests.hub.merge.test_initial_load import statements

pytestmark = pytest.mark.postgres

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 1, 22, 0, tzinfo=UTC)
ITEMS = cols("id:integer!", "code:text!", "name:text", "qty:integer")
KEY = ["id"]
PART_ROWS = 7  # many parts: every other chunk goes to the helper


@pytest.fixture
def pg(pg_database: str):
    engine = make_engine(pg_database.replace("postgresql://", "postgresql+psycopg://", 1))
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialect, "SPLIT_STAGE_ROWS", 1)


def snap(
    tmp: Path,
    rid: str,
    rows: Sequence[tuple[Any, ...]],
    day: int,
    kind: str = "full",
    keys: list[tuple[Any, ...]] | None = None,
) -> tuple[Manifest, SnapshotReader]:
    return build(
        tmp,
        {"items": (ITEMS, KEY, list(rows))},
        kind=kind,
        created_at=T0 + dt.timedelta(days=day),
        reseller_id=rid,
        keys={"items": keys} if keys is not None else None,
        part_rows=PART_ROWS,
    )


def merge(
    db: sessionmaker[Session], rid: str, sid: int, snapshot: tuple[Manifest, SnapshotReader]
) -> None:
    manifest, reader = snapshot
    with transaction(db) as s:
        merge_snapshot(
            s,
            reseller_id=rid,
            snapshot_id=sid,
            manifest=manifest,
            reader=reader,
            received_at=T0 + dt.timedelta(days=sid, minutes=5),
        )


def seeded(db: sessionmaker[Session], tmp: Path, rid: str) -> list[tuple[Any, ...]]:
    """A first load of one row (COPYed straight into the current table): later merges stage. Its history."""
    merge(db, rid, 0, snap(tmp / "seed", rid, rows(1), 0))
    return history(db, rid)


def history(db: sessionmaker[Session], rid: str) -> list[tuple[Any, ...]]:
    with db() as s:
        return [
            (key, v.values, v.valid_from, v.valid_to)
            for key, v in every_version(s, rid, "items")[1]
        ]


def helper_tables(db: sessionmaker[Session]) -> list[str]:
    with db() as s:
        return list(
            s.scalars(text("SELECT relname FROM pg_class WHERE relname LIKE 'merge\\_stage\\_%'"))
        )


def rows(n: int, bump: int = 0) -> list[tuple[Any, ...]]:
    return [
        (
            i,
            f"C-{i}\t{i % 3}",
            None if i % 5 == 0 else f"näme {i}\\",
            (i * 7 + (bump if i % 4 == 0 else 0)) % 50,
        )
        for i in range(1, n + 1)
    ]


def test_split_stage_merges_exactly_as_one_connection(pg, tmp_path, monkeypatch):
    first, changed = (
        rows(60),
        [r for r in rows(66, bump=3) if r[0] != 13],
    )  # updates, inserts, one delete
    delta = [(7, "C-7", "seven again", 1), (70, "C-70", None, 2)]
    for rid, threshold in (("one", 10**9), ("split", 1)):
        monkeypatch.setattr(dialect, "SPLIT_STAGE_ROWS", threshold)
        merge(pg, rid, 1, snap(tmp_path, rid, first, 1))
        merge(pg, rid, 2, snap(tmp_path, rid, changed, 2))
        merge(
            pg,
            rid,
            3,
            snap(tmp_path, rid, delta, 3, "incremental", keys=[(r[0],) for r in changed] + [(70,)]),
        )
    assert history(pg, "split") == history(pg, "one")
    assert len(history(pg, "one")) > len(
        changed
    )  # versions closed and added: the comparison covers history
    with pg() as s:
        assert (
            s.get(MergedDataset, ("split", "items")).key_digest
            == s.get(MergedDataset, ("one", "items")).key_digest
        )
    assert helper_tables(pg) == []  # dropped with the stage, in the merge transaction


def test_split_path_is_taken_from_the_threshold(pg, tmp_path, split):
    seeded(pg, tmp_path, "rs")
    seeded(pg, tmp_path, "rr")
    with statements(pg) as sql:
        merge(pg, "rs", 1, snap(tmp_path, "rs", rows(30), 1))
    assert any(
        s.startswith("CREATE TEMP VIEW merge_raw AS") and split_stage.PREFIX in s for s in sql
    )
    manifest, reader = snap(tmp_path, "rr", rows(30), 1)
    with (
        statements(pg) as sql,
        transaction(pg) as s,
    ):  # its own snapshot would miss the helper's commit
        s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        merge_snapshot(
            s, reseller_id="rr", snapshot_id=1, manifest=manifest, reader=reader, received_at=T0
        )
    assert not any(split_stage.PREFIX in s for s in sql)
    assert len(history(pg, "rr")) == 30


def test_rows_refused_in_the_helpers_half_fail_the_merge_and_leave_nothing(pg, tmp_path, split):
    good = lines(ITEMS, rows(30)).splitlines(keepends=True)
    good[9] = b"10\tC-10\tten\t10\tan extra field\n"  # in the second part: the helper's chunk
    writer = SnapshotWriter(
        tmp_path / "bad", "bad", 1, "full", "test", "sqlite", PART_ROWS, created_at=T0
    )
    ds = writer.dataset("items", ITEMS, KEY)
    ds.write(b"".join(good))
    ds.add_keys(b"".join(f"{i}\n".encode() for i in range(1, 31)))
    manifest = writer.finish()
    before = seeded(pg, tmp_path, "bad")
    with pytest.raises(DataError, match="the database refused the rows"):
        merge(pg, "bad", 1, (manifest, SnapshotReader.from_directory(tmp_path / "bad")))
    assert history(pg, "bad") == before
    assert helper_tables(pg) == []  # the helper rolled its table back


def test_helper_tables_left_by_a_rolled_back_or_killed_merge_are_swept(
    pg, tmp_path, split, pg_database
):
    dup = rows(20) + [
        rows(20)[3]
    ]  # a key twice: the insert fails after the split load committed its half
    seeded(pg, tmp_path, "dup")
    seeded(pg, tmp_path, "next")
    with pytest.raises(DataError, match="same key more than once"):
        merge(pg, "dup", 1, snap(tmp_path, "dup", dup, 1))
    left = helper_tables(pg)
    assert len(left) == 1  # rolled back: the helper's half stays until the next split load
    with psycopg.connect(
        pg_database, autocommit=True
    ) as con:  # as a hub killed mid-merge leaves it
        dead = max(pid for (pid,) in con.execute("SELECT pid FROM pg_stat_activity")) + 100_000
        con.execute(f"CREATE UNLOGGED TABLE {split_stage.PREFIX}{dead}_1 (c0 text)")
        con.execute(
            f"CREATE TABLE {split_stage.PREFIX}notes (note text)"
        )  # someone else's: never touched
    merge(pg, "next", 2, snap(tmp_path, "next", rows(20), 2))
    assert helper_tables(pg) == [f"{split_stage.PREFIX}notes"]
    assert len(history(pg, "next")) == 20


@pytest.mark.timeout(120)
def test_a_helper_without_a_connection_fails_the_merge_without_hanging(
    pg, tmp_path, split, monkeypatch
):
    engine = pg.kw["bind"]
    real = engine.raw_connection

    def raw_connection() -> Any:
        if threading.current_thread().name.endswith(
            "-copy"
        ):  # injected: the database refuses the helper
            raise OperationalError("connect", {}, Exception("too many clients already"))
        return real()

    before = seeded(pg, tmp_path, "nocon")
    monkeypatch.setattr(engine, "raw_connection", raw_connection)
    with pytest.raises(OperationalError, match="too many clients"):
        merge(pg, "nocon", 1, snap(tmp_path, "nocon", rows(60), 1))
    assert history(pg, "nocon") == before
    assert helper_tables(pg) == []
