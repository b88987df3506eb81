"""Issue #16 acceptance 2: random inserts, updates (of old rows and of rows tied on the cursor's
last value), deletes and re-inserts of the same key at a source, with pushes in between — and
now and then the agent's state folder lost. After every push the hub's current rows equal the
source's, and as of every earlier push's time the hub shows the source as it was then.

Three datasets of one table, one per change-detection mode: row hash (chosen by ``auto``: the
cursor is a creation day), cursor (an ``updated_at`` every write sets to the step's number, so
rows tie on the last value), and full. A real agent and a real hub (SQLite, embedded SFTP).
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub.ingest.models import Snapshot
from tests.integration.spine_kit import SpineHub, make_agent, source_rows, spine_hub

DATASETS = [
    {"name": "by_hash", "table": "items", "key": ["id"], "cursor": "created_day"},
    {"name": "by_cursor", "table": "items", "key": ["id"], "cursor": "updated_at"},
    {"name": "whole", "table": "items", "key": ["id"], "mode": "full"},
]
KEYS = st.integers(1, 12)
NAMES = st.sampled_from(["kabel", "mouse", "Kabel", "router 🛜", "", "tab\there"])
OPS = st.one_of(
    st.tuples(st.just("insert"), KEYS, NAMES, st.integers(0, 99)),
    st.tuples(st.just("update"), KEYS, NAMES),
    st.tuples(st.just("delete"), KEYS),
    st.tuples(st.just("push")),
    st.tuples(st.just("wipe")),
)
_rids = itertools.count(1)


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[SpineHub]:
    with spine_hub(tmp_path_factory.mktemp("hub")) as h:
        yield h


def apply(db: Path, op: tuple[Any, ...], step: int) -> None:
    """One change at the source; every write stamps ``updated_at`` with the step (ties within it)."""
    with sqlite3.connect(db) as c:
        if op[0] == "insert":
            _, key, name, price = op
            c.execute(
                "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)",
                (key, name, f"{price}.50", step, step),
            )
        elif op[0] == "update":
            c.execute(
                "UPDATE items SET name = ?, updated_at = ? WHERE id = ?", (op[2], step, op[1])
            )
        elif op[0] == "delete":
            c.execute("DELETE FROM items WHERE id = ?", (op[1],))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=24))
def test_after_every_push_the_hub_equals_the_source_now_and_as_of_each_earlier_push(hub, ops):
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        db = base / "shop.db"
        with sqlite3.connect(db) as c:
            c.execute(
                "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price DECIMAL(10,2), "
                "updated_at INTEGER, created_day INTEGER)"
            )
            c.executemany(
                "INSERT INTO items VALUES (?, ?, ?, 0, 0)",
                [(k, f"item {k}", "1.00") for k in (1, 2, 3)],
            )
        rid = f"prop-{next(_rids)}"
        agent = make_agent(
            base,
            rid,
            f"sqlite:///{db}",
            hub=hub.keys,
            datasets=DATASETS,
            host="127.0.0.1",
            port=hub.server.port,
            username=rid,
            host_key=hub.keys.host_key_line,
        )
        hub.enrol(rid, agent.handoff, "sqlite")
        seen: list[tuple[dt.datetime, tuple[list[str], list[str]]]] = []
        for step, op in enumerate([*ops, ("push",)], start=1):
            if op[0] == "wipe":
                shutil.rmtree(agent.dir / "state", ignore_errors=True)
            elif op[0] != "push":
                apply(db, op, step)
                continue
            summary = agent.push()
            hub.ingest()
            with hub.factory() as s:
                row = s.scalars(
                    select(Snapshot).where(
                        Snapshot.reseller_id == rid, Snapshot.file_name == summary["snapshot"]
                    )
                ).one()
            assert row.status == "applied", (row.status, row.reason, ops)
            assert row.source_created_at is not None
            now = source_rows(f"sqlite:///{db}", "items")
            for ds in DATASETS:
                assert hub.rows(rid, ds["name"]) == now, (ds["name"], step, ops)
            seen.append((row.source_created_at, now))
            for at, then in seen:
                for ds in DATASETS:
                    assert hub.rows(rid, ds["name"], at=at) == then, (ds["name"], at, ops)
