"""The agent's key ledger end to end: count-only key sets on nights without deletes, at a real hub.

A night whose changes deleted no key of the previous snapshot sends only the
source's count (the hub reports ``delete_check = "agent"``); any other night
sends every key (the hub closes the deleted rows). Either way the hub's current
rows equal the source's.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.ingest.models import Snapshot
from tests.integration.spine_kit import (
    SpineAgent,
    SpineHub,
    make_agent,
    open_sealed_file,
    source_rows,
    spine_hub,
)

DATASETS = [{"name": "items", "table": "items", "key": ["id"], "cursor": "changed", "overlap": 0}]


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[SpineHub]:
    with spine_hub(tmp_path_factory.mktemp("hub")) as h:
        yield h


def _agent(hub: SpineHub, base: Path, rid: str, url: str) -> SpineAgent:
    agent = make_agent(
        base,
        rid,
        url,
        host="127.0.0.1",
        port=hub.server.port,
        username=rid,
        host_key=hub.keys.host_key_line,
        hub=hub.keys,
        datasets=DATASETS,
    )
    hub.enrol(rid, agent.handoff)
    return agent


def _push(hub: SpineHub, agent: SpineAgent) -> tuple[dict[str, Any], str]:
    """Push, ingest; (the agent's summary, the hub's delete_check for ``items``)."""
    summary = agent.push()
    outcomes = hub.ingest().outcomes
    assert [o.status for o in outcomes] == ["applied"], outcomes
    with hub.factory() as s:
        row = s.get(Snapshot, outcomes[0].snapshot_id)
        assert row is not None and row.stats is not None
        return summary, row.stats["datasets"]["items"]["delete_check"]


# --------------------------------------------------------------------------- property: SQLite source

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 0)),
        st.tuples(st.sampled_from(["update", "delete", "reinsert"]), st.integers(0, 10_000)),
    ),
    max_size=5,
)


class Shop:
    """A SQLite source whose every change moves the cursor (an integer clock) forward."""

    def __init__(self, path: Path) -> None:
        self.url, self.db, self.clock, self.next_id = (
            f"sqlite:///{path}",
            sqlite3.connect(path),
            0,
            1,
        )
        self.db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER, changed INTEGER)")
        for _ in range(6):
            self.apply("insert", 0)

    def keys(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM items ORDER BY id")]

    def apply(self, op: str, pick: int) -> None:
        self.clock += 1
        keys = self.keys()
        if op == "insert" or not keys:
            self.db.execute("INSERT INTO items VALUES (?,?,?)", (self.next_id, 1, self.clock))
            self.next_id += 1
        elif op == "update":
            k = keys[pick % len(keys)]
            self.db.execute(
                "UPDATE items SET qty = qty + 1, changed = ? WHERE id = ?", (self.clock, k)
            )
        elif op == "delete":
            self.db.execute("DELETE FROM items WHERE id = ?", (keys[pick % len(keys)],))
        else:  # deleted and inserted again with the same key: no key is missing afterwards
            k = keys[pick % len(keys)]
            self.db.execute("DELETE FROM items WHERE id = ?", (k,))
            self.db.execute("INSERT INTO items VALUES (?,?,?)", (k, 7, self.clock))
        self.db.commit()


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nights=st.lists(OPS, min_size=1, max_size=4))
def test_count_only_exactly_when_no_key_was_deleted(
    hub: SpineHub, nights: list[list[tuple[str, int]]]
):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        shop = Shop(base / "shop.db")
        rid = f"led-{base.name[-8:].lower().replace('_', 'x')}"
        agent = _agent(hub, base / "agents", rid, shop.url)
        summary, check = _push(hub, agent)
        assert summary["kind"] == "full" and check == "full"
        for night in nights:
            before = set(shop.keys())
            for op, pick in night:
                shop.apply(op, pick)
            summary, check = _push(hub, agent)
            assert summary["kind"] == "incremental"
            no_key_gone = before <= set(shop.keys())
            assert (check == "agent") == no_key_gone, (night, check)
            assert hub.rows(rid, "items") == source_rows(shop.url, "items")
        shop.db.close()


# --------------------------------------------------------------------------- PostgreSQL


def _pg(dsn: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(dsn) as pg:
        for s in statements:
            pg.execute(s)  # type: ignore[arg-type]


@pytest.mark.postgres
def test_postgres_quiet_night_sends_no_keys_and_a_delete_falls_back(
    hub, postgres_server, tmp_path: Path
):
    dsn = postgres_server.create_database()
    try:
        _pg(
            dsn,
            "CREATE TABLE items (id integer PRIMARY KEY, code text, changed integer NOT NULL)",
            "INSERT INTO items SELECT g, 'c' || g, g FROM generate_series(1, 3000) g",
        )
        agent = _agent(hub, tmp_path, "led-pg", dsn)
        sent = Path(agent.config().agent.state_dir) / "sent"
        assert _push(hub, agent)[1] == "full"

        def night(name: str, *statements: str) -> tuple[Any, str]:
            _pg(dsn, *statements)
            summary, check = _push(hub, agent)
            snap = open_sealed_file(
                sent / summary["snapshot"], hub.keys, agent.signing_public, tmp_path / name
            )
            assert hub.rows("led-pg", "items") == source_rows(dsn, "items")
            return snap.manifest.datasets[0].keyset, check

        ks, check = night(
            "quiet",
            "UPDATE items SET code = 'x', changed = 5000 WHERE id % 500 = 0",
            "INSERT INTO items SELECT g, 'n', 5001 FROM generate_series(3001, 3010) g",
        )
        assert (
            ks is not None
            and (ks.count, ks.digest, ks.part) == (3010, None, None)
            and check == "agent"
        )

        ks, check = night(
            "delete",
            "DELETE FROM items WHERE id = 17",
            "UPDATE items SET changed = 5002 WHERE id = 18",
        )
        assert ks is not None and ks.part is not None and ks.digest is not None and ks.count == 3009
        assert check == "full"
        with hub.factory() as s:
            from hub.merge import query

            _cols, versions = query.record_history(s, "led-pg", "items", "17")
            assert len(versions) == 1 and versions[0].valid_to is not None  # closed at the hub

        ks, check = night("quiet2", "UPDATE items SET code = 'y', changed = 5003 WHERE id = 19")
        assert ks is not None and (ks.count, ks.part) == (3009, None) and check == "agent"
    finally:
        postgres_server.drop_database(dsn.rsplit("/", 1)[1])
