"""The key ledger (agent/ledger.py): storage, validity, and how exports use it on a SQLite source."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agent.export as export_mod
from agent import ledger
from agent.export import export
from agent.state import AgentState, DatasetAdvance
from shared import keys
from shared.seal import open_snapshot

FP = ledger.fingerprint("plan1", b"salt")


def _commit(state: AgentState, seq: int, record: str | None) -> None:
    state.commit_snapshot(
        seq,
        f"s{seq}",
        "full",
        0,
        0,
        {"items": DatasetAdvance("1", "integer", "plan1", ledger=record)},
    )


def test_round_trip_append_and_prune(tmp_path: Path):
    with AgentState(tmp_path) as st:
        w = ledger.LedgerWriter(tmp_path, "items", 1, FP)
        w.add(b"1\n2\n")
        w.add(b"")
        w.add(b"a\\tb\n")
        _commit(st, 1, w.finish())
        first = ledger.load(st, tmp_path, "items", FP)
        assert first is not None and first.count == 3 and first.all_keys() == {b"1", b"2", b"a\\tb"}
        before = first.path.read_bytes()

        w2 = ledger.LedgerWriter(tmp_path, "items", 2, FP, base=first)
        w2.add(b"7\n")
        _commit(st, 2, w2.finish())
        ledger.prune(st, tmp_path)
        second = ledger.load(st, tmp_path, "items", FP)
        assert (
            second is not None
            and second.count == 4
            and second.all_keys() == {b"1", b"2", b"a\\tb", b"7"}
        )
        assert not first.path.exists()  # pruned: no record points to it
        assert second.path.read_bytes().startswith(before)  # the committed frames, then one more


def test_config_or_salt_change_invalidates(tmp_path: Path):
    with AgentState(tmp_path) as st:
        w = ledger.LedgerWriter(tmp_path, "items", 1, FP)
        w.add(b"1\n")
        _commit(st, 1, w.finish())
        assert ledger.load(st, tmp_path, "items", FP) is not None
        assert ledger.load(st, tmp_path, "items", ledger.fingerprint("plan2", b"salt")) is None
        assert ledger.load(st, tmp_path, "items", ledger.fingerprint("plan1", b"other")) is None
        _commit(st, 2, None)  # a snapshot without a ledger for the dataset forgets the old one
        assert ledger.load(st, tmp_path, "items", FP) is None


def test_an_uncommitted_ledger_leaves_the_previous_one_valid(tmp_path: Path):
    with AgentState(tmp_path) as st:
        w = ledger.LedgerWriter(tmp_path, "items", 1, FP)
        w.add(b"1\n2\n")
        _commit(st, 1, w.finish())
        base = ledger.load(st, tmp_path, "items", FP)
        assert base is not None
        w2 = ledger.LedgerWriter(tmp_path, "items", 2, FP, base=base)
        w2.add(b"3\n")
        w2.finish()  # written and renamed, but the snapshot never commits
        w3 = ledger.LedgerWriter(tmp_path, "items", 3, FP, base=base)
        w3.add(b"4\n")
        w3.discard()
        again = ledger.load(st, tmp_path, "items", FP)
        assert again is not None and again.all_keys() == {b"1", b"2"} and again.count == 2
        ledger.prune(st, tmp_path)
        assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [again.path.name]


def test_damaged_file_is_ignored(tmp_path: Path):
    with AgentState(tmp_path) as st:
        w = ledger.LedgerWriter(tmp_path, "items", 1, FP)
        w.add(b"1\n")
        _commit(st, 1, w.finish())
        path = ledger.ledger_path(tmp_path, "items", 1)
        path.write_bytes(path.read_bytes()[:-3])
        assert ledger.load(st, tmp_path, "items", FP) is None


# --------------------------------------------------------------------------- exports on SQLite


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as c:
        c.execute(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT, qty INTEGER, changed INTEGER)"
        )
        c.executemany(
            "INSERT INTO items VALUES (?,?,?,?)", [(i, f"c{i}", i, i) for i in range(1, 51)]
        )
    return db


def _sql(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as c:
        for s in statements:
            c.execute(s)


def _keyset(cfg, hub_keys, setup, tmp_path: Path, name: str):
    with AgentState(cfg.agent.state_dir) as st:
        res = export(cfg, st)
    signer = keys.load_signing_key(setup.dir / "keys" / "signing_ed25519.pem").public_key()
    reader = open_snapshot(
        res.path,
        hub_private_key=hub_keys.seal_private,
        signer_public_key=signer,
        dest_dir=tmp_path / name,
    )
    ds = reader.manifest.datasets[0]
    return res.kind, ds.keyset, reader


@pytest.mark.parametrize("hashed", [False, True])
def test_quiet_nights_send_a_count_deletes_send_every_key(
    shop, make_agent, hub_keys, tmp_path, hashed
):
    setup = make_agent(
        "toko-ledger",
        url=f"sqlite:///{shop}",
        datasets=[
            {
                "name": "items",
                "table": "items",
                "key": ["code"],
                "cursor": "changed",
                "overlap": 0,
                **({"hash_columns": ["code"]} if hashed else {}),
            }
        ],
    )
    cfg = setup.config()
    kind, ks, _ = _keyset(cfg, hub_keys, setup, tmp_path, "n1")
    assert kind == "full" and ks is not None and (ks.count, ks.part) == (50, None)

    _sql(
        shop,
        "UPDATE items SET qty = 0, changed = 60 WHERE id = 3",
        "INSERT INTO items VALUES (51, 'c51', 1, 61)",
    )
    kind, ks, _ = _keyset(cfg, hub_keys, setup, tmp_path, "n2")
    assert kind == "incremental" and ks is not None
    assert (ks.count, ks.digest, ks.part) == (51, None, None)

    _sql(shop, "DELETE FROM items WHERE id = 7", "INSERT INTO items VALUES (52, 'c52', 1, 62)")
    kind, ks, reader = _keyset(cfg, hub_keys, setup, tmp_path, "n3")
    assert ks is not None and ks.part is not None and ks.count == 51
    sent = {line.rstrip(b"\n") for line in reader.iter_keys("items")}
    with AgentState(cfg.agent.state_dir) as st:
        fp = ledger.fingerprint(
            export_mod.config_digest(cfg.datasets[0]), export_mod.load_salt(cfg.agent.state_dir)
        )
        rebuilt = ledger.load(st, cfg.agent.state_dir, "items", fp)
    assert (
        rebuilt is not None and rebuilt.all_keys() == sent and rebuilt.count == 51
    )  # rebuilt from the keys read
    assert (b"c7" in sent) is False and (len(next(iter(sent))) == 64) is hashed

    # deleting the ledger is safe: the next incremental reads every key and rebuilds it
    shutil.rmtree(cfg.agent.state_dir / "keys")
    kind, ks, _ = _keyset(cfg, hub_keys, setup, tmp_path, "n4")
    assert ks is not None and ks.part is not None and ks.count == 51
    kind, ks, _ = _keyset(cfg, hub_keys, setup, tmp_path, "n5")
    assert ks is not None and (ks.count, ks.part) == (51, None)


def test_a_failed_export_keeps_the_ledger(shop, make_agent, hub_keys, tmp_path, monkeypatch):
    setup = make_agent(
        "toko-fail",
        url=f"sqlite:///{shop}",
        datasets=[
            {"name": "items", "table": "items", "key": ["id"], "cursor": "changed", "overlap": 0}
        ],
    )
    cfg = setup.config()
    _keyset(cfg, hub_keys, setup, tmp_path, "n1")
    _sql(shop, "INSERT INTO items VALUES (51, 'c51', 1, 61)")

    def broken(*_a, **_k):
        raise OSError("disk full (injected)")

    with monkeypatch.context() as m:
        m.setattr(export_mod, "seal_snapshot", broken)
        with AgentState(cfg.agent.state_dir) as st, pytest.raises(OSError):
            export(cfg, st)
    kind, ks, reader = _keyset(cfg, hub_keys, setup, tmp_path, "n2")
    assert kind == "incremental" and ks is not None and (ks.count, ks.part) == (51, None)
    assert [r[0] for r in reader.iter_rows("items")] == [51]


KEY_LINES = st.sets(
    st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"\n", b"\\n")), max_size=60
)


@settings(max_examples=60, deadline=None)
@given(KEY_LINES, KEY_LINES, st.integers(1, 40))
def test_present_streams_the_file_and_finds_exactly_the_known_candidates(
    stored: set[bytes], candidates: set[bytes], chunk: int
):
    with tempfile.TemporaryDirectory() as tmp, AgentState(Path(tmp)) as st_:
        w = ledger.LedgerWriter(Path(tmp), "items", 1, FP)
        w.add(b"".join(k + b"\n" for k in stored))
        _commit(st_, 1, w.finish())
        book = ledger.load(st_, Path(tmp), "items", FP)
        assert book is not None and book.count == len(stored)
        assert book.present(candidates, chunk_size=chunk) == candidates & stored


def test_a_record_whose_count_disagrees_with_the_file_is_not_trusted(tmp_path: Path):
    with AgentState(tmp_path) as st_:
        w = ledger.LedgerWriter(tmp_path, "items", 1, FP)
        w.add(b"1\n2\n")
        record = json.loads(w.finish())
        _commit(st_, 1, json.dumps({**record, "count": 3}))
        book = ledger.load(st_, tmp_path, "items", FP)
        assert book is not None and book.present({b"1"}) is None  # the export then reads every key
