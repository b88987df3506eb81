"""Export from a SQLite source: full, incremental with shared cursor values, privacy (acceptance 2)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agent.export import export
from agent.state import AgentState
from shared import keys
from shared.keyset import KeySetDigest
from shared.seal import open_snapshot


def _open(result, hub_keys, setup, dest: Path):
    signer = keys.load_signing_key(setup.dir / "keys" / "signing_ed25519.pem").public_key()
    return open_snapshot(
        result.path, hub_private_key=hub_keys.seal_private, signer_public_key=signer, dest_dir=dest
    )


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as c:
        c.execute(
            "CREATE TABLE sales (id INTEGER PRIMARY KEY, sku TEXT, qty INTEGER, email TEXT, "
            "note TEXT, changed TIMESTAMP)"
        )
        c.executemany(
            "INSERT INTO sales VALUES (?,?,?,?,?,?)",
            [
                (1, "A", 1, "a@x.id", "n1", "2024-05-01 10:00:00"),
                (2, "B", 2, "b@x.id", "n2", "2024-05-01 11:00:00"),
                (3, "C", 3, "c@x.id", "n3", "2024-05-01 12:00:00"),
                (4, "D", 4, "d@x.id", "n4", "2024-05-01 12:00:00"),  # shares the last cursor value
            ],
        )
    return db


def _digest(keys: list[str]) -> str:
    d = KeySetDigest()
    for k in keys:
        d.add(k.encode())
    return d.hexdigest()


def _run(cfg, **kw):
    with AgentState(cfg.agent.state_dir) as st:
        return export(cfg, st, **kw)


def test_incremental_carries_exactly_the_changes(shop, make_agent, hub_keys, tmp_path):
    setup = make_agent(
        "toko-inc",
        url=f"sqlite:///{shop}",
        datasets=[
            {
                "name": "sales",
                "table": "sales",
                "key": ["id"],
                "cursor": "changed",
                "overlap": 0,
                "hash_columns": ["email"],
                "drop_columns": ["note"],
            }
        ],
    )
    cfg = setup.config()
    first = _run(cfg)
    assert (first.sequence, first.kind) == (1, "full")
    reader = _open(first, hub_keys, setup, tmp_path / "o1")
    rows = list(reader.iter_rows("sales"))
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert [c.name for c in first.manifest.datasets[0].columns] == [
        "id",
        "sku",
        "qty",
        "email",
        "changed",
    ]
    assert all(len(r[3]) == 64 and "@" not in r[3] for r in rows)  # hashed, never in clear
    assert first.manifest.datasets[0].cursor_max == "2024-05-01 12:00:00"

    # nothing changed: the boundary rows re-read at the last cursor value are dropped
    second = _run(cfg)
    assert (second.sequence, second.kind) == (2, "incremental")
    assert list(_open(second, hub_keys, setup, tmp_path / "o2").iter_rows("sales")) == []

    with sqlite3.connect(shop) as c:
        c.execute(
            "INSERT INTO sales VALUES (5, 'E', 5, 'e@x.id', 'n5', '2024-05-01 12:00:00')"
        )  # same last value
        c.execute("UPDATE sales SET qty = 30, changed = '2024-05-02 08:00:00' WHERE id = 3")
        c.execute("UPDATE sales SET qty = 40 WHERE id = 4")  # changed, cursor not moved
        c.execute("DELETE FROM sales WHERE id = 2")
    third = _run(cfg)
    assert third.kind == "incremental"
    r3 = _open(third, hub_keys, setup, tmp_path / "o3")
    got = {r[0]: r[2] for r in r3.iter_rows("sales")}
    assert got == {3: 30, 4: 40, 5: 5}
    # the hub sees 2 is gone: listed as deleted (the key sets were compared), and the digest of
    # every key at the source proves the result
    assert [k.decode() for k in r3.iter_deleted("sales")] == ["2\n"]
    ds = third.manifest.datasets[0]
    assert (ds.since, ds.cursor_max, ds.mode) == (
        "2024-05-01 12:00:00",
        "2024-05-02 08:00:00",
        "cursor",
    )
    assert ds.keyset is not None and ds.keyset.part is None and ds.keyset.count == 4
    assert ds.keyset.digest == _digest(["1", "3", "4", "5"])

    fourth = _run(cfg, full=True)
    assert fourth.kind == "full" and fourth.sequence == 4
    # a full snapshot's key-set digest reveals the delete (and the keys part stays an incremental's)
    ks1, ks4 = first.manifest.datasets[0].keyset, fourth.manifest.datasets[0].keyset
    assert ks1 is not None and ks4 is not None and ks4.part is None
    assert ks1.digest != ks4.digest and ks4.count == 4
    r4 = _open(fourth, hub_keys, setup, tmp_path / "o4")
    assert sorted(int(k) for k in r4.iter_keys("sales")) == [1, 3, 4, 5]


def test_overlap_window_catches_late_rows(shop, make_agent, hub_keys, tmp_path):
    setup = make_agent(
        "toko-ovl",
        url=f"sqlite:///{shop}",
        datasets=[
            {"name": "sales", "table": "sales", "key": ["id"], "cursor": "changed", "overlap": 7200}
        ],
    )
    cfg = setup.config()
    _run(cfg)
    with sqlite3.connect(
        shop
    ) as c:  # committed late with an older cursor value, inside the overlap
        c.execute("INSERT INTO sales VALUES (6, 'F', 6, 'f@x.id', 'n6', '2024-05-01 11:30:00')")
    inc = _run(cfg)
    rows = list(_open(inc, hub_keys, setup, tmp_path / "o").iter_rows("sales"))
    assert [r[0] for r in rows] == [6]


def test_a_dataset_without_cursor_sends_only_its_changes_and_deletes(
    shop, make_agent, hub_keys, tmp_path
):
    """Without a cursor a dataset is compared by row hash: an incremental carries its changed rows
    and deleted keys (never the whole table, nor its key list), with the key-set digest."""
    setup = make_agent(
        "toko-whole",
        url=f"sqlite:///{shop}",
        datasets=[
            {"name": "sales", "table": "sales", "key": ["id"], "cursor": "changed"},
            {"name": "skus", "table": "sales", "key": ["sku"], "columns": ["qty", "sku"]},
        ],
    )
    cfg = setup.config()
    assert _run(cfg).kind == "full"
    with sqlite3.connect(shop) as c:
        c.execute("DELETE FROM sales WHERE id = 2")
    inc = _run(cfg)
    assert inc.kind == "incremental"
    by_name = {d.name: d for d in inc.manifest.datasets}
    r = _open(inc, hub_keys, setup, tmp_path / "inc")
    ks = by_name["skus"].keyset
    assert ks is not None and ks.part is None and ks.count == 3
    assert ks.digest == _digest(["A", "C", "D"])
    assert by_name["skus"].mode == "rowhash" and by_name["skus"].rows == 0
    assert list(r.iter_deleted("skus")) == [b"B\n"] and list(r.iter_deleted("sales")) == [b"2\n"]
    assert by_name["sales"].rows == 0 and by_name["sales"].mode == "cursor"
