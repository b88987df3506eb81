"""The ledger (agent/ledger.py) and the comparison with it (agent/changes.py), then how exports use
them on a SQLite source: row-hash incrementals, the cursor mode's key read, a lost or lying ledger."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent import ledger
from agent.changes import Diff, digest_after
from agent.export import export
from agent.state import AgentState, DatasetAdvance
from shared import keys
from shared.errors import DataError
from shared.keyset import SHA256, KeySetDigest
from shared.seal import open_snapshot

FP = ledger.fingerprint("plan1", b"salt", "rows")


def _commit(state: AgentState, seq: int, record: str | None) -> None:
    state.commit_snapshot(
        seq, f"s{seq}", "full", 0, 0, {"items": DatasetAdvance(None, None, "plan1", ledger=record)}
    )


def _digest(keys_: list[bytes] | set[bytes]) -> str:
    d = KeySetDigest()
    for k in keys_:
        d.add(k)
    return d.hexdigest()


def _write(state_dir: Path, seq: int, rows: dict[bytes, bytes], old=None, fp: str = FP):
    """A ledger of ``rows`` (key line -> rest of the line) through a Diff against ``old``."""
    book = ledger.LedgerWriter(state_dir, "items", seq, fp)
    keys_seen: list[bytes] = []
    diff = Diff(old, ["id", "v"], ["id"], book, keys_seen.append, "items")
    changed = diff.feed(b"".join(k + b"\t" + v + b"\n" for k, v in rows.items())) if rows else []
    out = diff.finish()
    return book.finish(_digest(list(rows))), changed, out


def test_round_trip_keys_of_and_prune(tmp_path: Path) -> None:
    with AgentState(tmp_path) as st:
        record, changed, out = _write(tmp_path, 1, {b"1": b"a", b"2": b"b", b"a\\tb": b"c"})
        assert len(changed) == 3 and out.inserted == {b"1", b"2", b"a\\tb"}
        _commit(st, 1, record)
        first = ledger.load(st, tmp_path, "items", FP)
        assert (
            first is not None
            and first.count == 3
            and first.digest == _digest([b"1", b"2", b"a\\tb"])
        )
        untouched = first.matcher().untaken()  # no read took any: every line of the ledger
        assert first.keys_of(untouched) == {b"1", b"2", b"a\\tb"} and first.keys_of(set()) == set()

        record2, changed2, out2 = _write(tmp_path, 2, {b"1": b"a", b"2": b"B", b"7": b"x"}, first)
        assert sorted(changed2) == [b"2\tB", b"7\tx"]
        assert (out2.inserted, out2.updated, out2.deleted) == ({b"7"}, {b"2"}, {b"a\\tb"})
        _commit(st, 2, record2)
        ledger.prune(st, tmp_path)
        assert not first.hashes_path.exists() and not first.keys_path.exists()  # no record: pruned
        assert ledger.load(st, tmp_path, "items", FP) is not None


def test_config_salt_or_kind_change_invalidates(tmp_path: Path) -> None:
    with AgentState(tmp_path) as st:
        _commit(st, 1, _write(tmp_path, 1, {b"1": b"a"})[0])
        assert ledger.load(st, tmp_path, "items", FP) is not None
        for other in (
            ledger.fingerprint("plan2", b"salt", "rows"),
            ledger.fingerprint("plan1", b"other", "rows"),
            ledger.fingerprint("plan1", b"salt", "keys"),
        ):
            assert ledger.load(st, tmp_path, "items", other) is None
        why = [ledger.inspect(st, tmp_path, "items", ledger.fingerprint(*o))[1] for o in (
            ("plan2", b"salt", "rows"), ("plan1", b"other", "rows")
        )]  # fmt: skip
        assert why == [
            "the dataset's configuration changed since it was written",
            "the hashing salt changed since it was written",
        ]
        _commit(st, 2, None)  # a snapshot without a ledger for the dataset forgets the old one
        assert ledger.load(st, tmp_path, "items", FP) is None


def test_a_ledger_hashed_by_another_line_hash_is_not_compared_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ledgers written before XXH3 (BLAKE2b-64): their hashes would never match, every line would
    look changed; the fingerprint tells them apart, so the agent sends the dataset whole once."""
    with AgentState(tmp_path) as st:
        monkeypatch.setattr(ledger, "LINE_HASH", "blake2b")
        before = ledger.fingerprint("plan1", b"salt", "rows")
        _commit(st, 1, _write(tmp_path, 1, {b"1": b"a"}, fp=before)[0])
        monkeypatch.undo()
        assert ledger.load(st, tmp_path, "items", before) is not None
        assert ledger.load(st, tmp_path, "items", FP) is None


def test_line_hashes_are_eight_bytes_per_line_and_tell_lines_apart() -> None:
    lines = [b"", b"1\ta", b"1\tb", b"1\ta ", "é".encode()]
    hashes = ledger.line_hashes(lines)
    assert len(hashes) == ledger.HASH_BYTES * len(lines)
    assert len(set(ledger.as_ints(hashes))) == len(lines)
    assert ledger.line_hashes(lines[1:2]) == hashes[8:16]  # the same line, the same hash


def test_an_uncommitted_ledger_leaves_the_previous_one_valid(tmp_path: Path) -> None:
    with AgentState(tmp_path) as st:
        _commit(st, 1, _write(tmp_path, 1, {b"1": b"a", b"2": b"b"})[0])
        base = ledger.load(st, tmp_path, "items", FP)
        _write(tmp_path, 2, {b"3": b"c"}, base)  # written and renamed, never committed
        w3 = ledger.LedgerWriter(tmp_path, "items", 3, FP)
        w3.add(ledger.line_hashes([b"4"]), b"4\n")
        w3.discard()
        again = ledger.load(st, tmp_path, "items", FP)
        assert (
            again is not None
            and again.count == 2
            and again.keys_of(again.matcher().untaken())
            == {
                b"1",
                b"2",
            }
        )
        ledger.prune(st, tmp_path)
        assert sorted(p.name for p in (tmp_path / "ledger").iterdir()) == sorted(
            [again.hashes_path.name, again.keys_path.name]
        )


def test_a_damaged_or_resized_ledger_is_not_trusted(tmp_path: Path) -> None:
    with AgentState(tmp_path) as st:
        _commit(st, 1, _write(tmp_path, 1, {b"1": b"a", b"2": b"b"})[0])
        good = ledger.load(st, tmp_path, "items", FP)
        assert good is not None
        with open(good.hashes_path, "ab") as fh:
            fh.write(b"\0" * 8)
        assert ledger.load(st, tmp_path, "items", FP) is None
        st.set_meta("ledger:items", "{not json")
        assert ledger.load(st, tmp_path, "items", FP) is None


ROWS = st.dictionaries(st.integers(0, 60), st.sampled_from([b"a", b"b", b"c\\td"]), max_size=40)


@settings(max_examples=80, deadline=None)
@given(ROWS, ROWS, st.integers(1, 7))
def test_the_comparison_finds_exactly_the_changes(before, after, cut) -> None:
    """Whatever happened between two reads, and however the second read is chunked."""
    import tempfile

    with tempfile.TemporaryDirectory() as d, AgentState(Path(d)) as state:
        rows = {str(k).encode(): v for k, v in before.items()}
        _commit(state, 1, _write(Path(d), 1, rows)[0])
        old = ledger.load(state, Path(d), "items", FP)
        new = {str(k).encode(): v for k, v in after.items()}
        book = ledger.LedgerWriter(Path(d), "items", 2, FP)
        seen: list[bytes] = []
        diff = Diff(old, ["id", "v"], ["id"], book, seen.append, "items")
        lines = [k + b"\t" + v + b"\n" for k, v in new.items()]
        changed = []
        for i in range(0, len(lines), cut):
            changed += diff.feed(b"".join(lines[i : i + cut]))
        out = diff.finish()
        book.discard()
    want = {k + b"\t" + v for k, v in new.items() if rows.get(k) != v}
    assert set(changed) == want and len(changed) == len(want)
    assert out.deleted == set(rows) - set(new)
    assert out.inserted == set(new) - set(rows)
    assert out.updated == {k for k in set(new) & set(rows) if new[k] != rows[k]}
    assert b"".join(seen) == b"".join(k + b"\n" for k in new)  # every key read, for the digest
    assert digest_after(_digest(list(rows)), out.inserted, out.deleted) == _digest(list(new))


# --------------------------------------------------------------------------- exports


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as c:
        c.execute(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT UNIQUE, qty INTEGER, "
            "updated_at INTEGER)"
        )
        c.executemany(
            "INSERT INTO items VALUES (?,?,?,?)", [(i, f"c{i}", i, i) for i in range(1, 51)]
        )
    return db


def _sql(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as c:
        for s in statements:
            c.execute(s)


def _items_agent(make_agent, rid: str, db: Path, **dataset):
    """An agent whose one dataset, ``items``, reads the table ``items`` of the SQLite file ``db``."""
    return make_agent(
        rid, url=f"sqlite:///{db}", datasets=[{"name": "items", "table": "items", **dataset}]
    )


def _export(cfg, hub_keys, setup, dest: Path):
    with AgentState(cfg.agent.state_dir) as state:
        result = export(cfg, state)
    signer = keys.load_signing_key(setup.dir / "keys" / "signing_ed25519.pem").public_key()
    reader = open_snapshot(
        result.path, hub_private_key=hub_keys.seal_private, signer_public_key=signer, dest_dir=dest
    )
    return result, reader.manifest.datasets[0], reader


@pytest.mark.parametrize("mode", ["rowhash", "cursor"])
@pytest.mark.parametrize("hashed", [False, True])
def test_incrementals_send_changes_and_deleted_keys(
    shop, make_agent, hub_keys, tmp_path, mode, hashed
) -> None:
    setup = _items_agent(
        make_agent,
        f"toko-{mode}-{int(hashed)}",
        shop,
        key=["code"],
        cursor="updated_at",
        mode=mode,
        **({"hash_columns": ["code"]} if hashed else {}),
    )
    cfg = setup.config()
    first, ds, _ = _export(cfg, hub_keys, setup, tmp_path / "n1")
    assert first.kind == "full" and ds.mode == "full" and ds.keyset.count == 50  # type: ignore[union-attr]

    quiet, ds, _ = _export(cfg, hub_keys, setup, tmp_path / "n2")  # nothing changed: digests only
    assert quiet.kind == "incremental" and ds.mode == mode and ds.members() == []
    assert ds.keyset is not None and ds.keyset.count == 50 and ds.rows == 0

    _sql(
        shop,
        "UPDATE items SET qty = 0, updated_at = 60 WHERE id = 3",
        "DELETE FROM items WHERE id = 7",
        "INSERT INTO items VALUES (52, 'c52', 1, 62)",
    )
    _inc, ds, reader = _export(cfg, hub_keys, setup, tmp_path / "n3")
    assert sorted(r[0] for r in reader.iter_rows("items")) == [3, 52]
    deleted = [k.rstrip(b"\n") for k in reader.iter_deleted("items")]
    assert len(deleted) == 1 and (deleted[0] != b"c7") == hashed  # hashed keys stay hashed
    assert ds.keyset is not None and ds.keyset.count == 50 and ds.keyset.part is None


@pytest.mark.parametrize("mode", ["rowhash", "cursor"])
def test_a_lost_ledger_sends_everything_needed_and_a_lying_one_the_key_list(
    shop, make_agent, hub_keys, tmp_path, mode
) -> None:
    setup = _items_agent(
        make_agent, f"toko-lost-{mode}", shop, key=["id"], cursor="updated_at", mode=mode
    )
    cfg = setup.config()
    _export(cfg, hub_keys, setup, tmp_path / "n1")
    shutil.rmtree(cfg.agent.state_dir / "ledger")
    _sql(shop, "DELETE FROM items WHERE id = 9")
    result, ds, reader = _export(cfg, hub_keys, setup, tmp_path / "n2")
    assert result.kind == "incremental" and ds.keyset is not None
    assert any(  # the operator learns why this push is bigger
        n.startswith("items: the key ledger of the last push is not used (its files are missing")
        for n in result.notes
    ), result.notes
    if mode == "rowhash":  # no ledger to compare with: every row (the hub closes what they lack)
        assert ds.mode == "full" and ds.rows == 49
    else:  # the rows since the cursor, and the whole key list (the hub closes what it lacks)
        assert ds.mode == "cursor" and ds.keyset.part is not None and ds.keyset.count == 49
    # the rebuilt ledger now predicts the next digest right: no key list
    _sql(shop, "DELETE FROM items WHERE id = 10")
    _r, ds, _ = _export(cfg, hub_keys, setup, tmp_path / "n3")
    assert ds.keyset is not None and ds.keyset.part is None and ds.deleted is not None

    with AgentState(cfg.agent.state_dir) as state:  # a ledger record that does not add up
        meta = json.loads(state.get_meta("ledger:items") or "{}")
        state.set_meta("ledger:items", json.dumps({**meta, "count": meta["count"] + 5}))
    result, ds, _ = _export(cfg, hub_keys, setup, tmp_path / "n4")  # not trusted: as if lost
    assert any("do not have the recorded sizes" in n for n in result.notes), result.notes
    assert ds.keyset is not None and ds.keyset.count == 48
    assert ds.keyset.digest == _digest([str(i).encode() for i in range(1, 51) if i not in (9, 10)])
    if mode == "rowhash":
        assert ds.mode == "full"
    else:
        assert ds.keyset.part is not None
    # (a ledger whose digest lies, with the right count, is caught by the hub: its key set then
    # differs from the snapshot's digest and it asks for the key list -- tests/hub/merge/test_format2)


def test_after_an_agent_upgrade_the_operator_is_told_why_one_push_is_whole(
    shop, make_agent, hub_keys, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger from before XXH3 is not compared with: the dataset goes whole once, with a note."""
    setup = _items_agent(make_agent, "toko-upgrade", shop, key=["id"], mode="rowhash")
    cfg = setup.config()
    monkeypatch.setattr(ledger, "LINE_HASH", "blake2b")  # the agent before the upgrade
    _export(cfg, hub_keys, setup, tmp_path / "n1")
    monkeypatch.undo()
    result, ds, _ = _export(cfg, hub_keys, setup, tmp_path / "n2")
    assert result.kind == "incremental" and ds.mode == "full" and ds.rows == 50
    assert result.notes == [
        "items: the key ledger of the last push is not used (it was written by an older agent "
        "version, which hashed lines differently); this push sends its rows whole, once, and the "
        "next ones compare again"
    ]
    result, ds, _ = _export(cfg, hub_keys, setup, tmp_path / "n3")  # compared again: quiet
    assert ds.mode == "rowhash" and ds.rows == 0 and result.notes == []


@pytest.mark.parametrize("mode", ["rowhash", "cursor"])
def test_a_key_that_is_not_unique_at_the_source_stops_the_export_saying_so(
    make_agent, tmp_path, mode
) -> None:
    db = tmp_path / "nokey.db"
    with sqlite3.connect(db) as c:  # no primary key: nothing stops two rows sharing a code
        c.execute("CREATE TABLE items (code TEXT, qty INTEGER, updated_at INTEGER)")
        c.executemany(
            "INSERT INTO items VALUES (?,?,?)", [("a", 1, 1), ("b", 2, 2), ("a", 3, 3), ("b", 4, 4)]
        )
    setup = _items_agent(
        make_agent, f"toko-dup-{mode}", db, key=["code"], cursor="updated_at", mode=mode
    )
    cfg = setup.config()
    with AgentState(cfg.agent.state_dir) as state, pytest.raises(DataError) as err:
        export(cfg, state)
    assert err.value.message == (
        "dataset items: 2 key value(s) appear on more than one row; the key (code) is not "
        "unique at the source"
    )
    assert "primary key" in (err.value.hint or "") and "nothing was sent" in (err.value.hint or "")
    assert not list(cfg.agent.state_dir.glob("outbox/*"))  # nothing sealed, nothing to upload
    with AgentState(cfg.agent.state_dir) as state:
        assert state.get_meta("ledger:items") is None  # no ledger recorded from the bad read


def test_a_ledger_with_a_sha256_key_digest_is_converted_without_a_bigger_push(
    shop, make_agent, hub_keys, tmp_path
) -> None:
    """The agents of 2026-12-07 kept XXH3 line hashes but SHA-256 key-set digests: their ledger is
    still compared with, and its keys file gives the XXH3-128 digest — the push stays small."""
    setup = _items_agent(make_agent, "toko-digest", shop, key=["id"], mode="rowhash")
    cfg = setup.config()
    _export(cfg, hub_keys, setup, tmp_path / "n1")
    every = [str(i).encode() for i in range(1, 51)]
    with AgentState(cfg.agent.state_dir) as state:  # as that agent recorded it
        meta = json.loads(state.get_meta("ledger:items") or "{}")
        old = KeySetDigest(SHA256)
        for k in every:
            old.add(k)
        state.set_meta("ledger:items", json.dumps({**meta, "digest": old.hexdigest()}))
    _sql(shop, "UPDATE items SET qty = 99 WHERE id = 5")
    result, ds, _ = _export(cfg, hub_keys, setup, tmp_path / "n2")
    assert ds.mode == "rowhash" and ds.rows == 1 and result.notes == []
    assert ds.keyset is not None and ds.keyset.part is None
    assert (ds.keyset.count, ds.keyset.digest) == (50, _digest(every))
    with AgentState(cfg.agent.state_dir) as state:
        assert json.loads(state.get_meta("ledger:items") or "{}")["digest"] == _digest(every)


def test_only_a_key_the_source_declares_unique_skips_the_agents_own_check(shop, make_agent) -> None:
    """Holding every key of a full read to refuse repeats costs memory per row; a key that is the
    table's primary key cannot repeat, so the agent trusts it (memory stays flat)."""
    from agent.datasets import plan_dataset
    from agent.source import open_source

    setup = make_agent(
        "toko-unique",
        url=f"sqlite:///{shop}",
        datasets=[
            {"name": "by_id", "table": "items", "key": ["id"]},
            {"name": "by_code", "table": "items", "key": ["code"]},  # unique index, not the key
            {"name": "by_query", "query": "SELECT id, code FROM items", "key": ["id"]},
        ],
    )
    cfg = setup.config()
    with open_source(cfg) as conn:
        unique = {d.name: plan_dataset(conn, d).key_unique for d in cfg.datasets}
    assert unique == {"by_id": True, "by_code": False, "by_query": False}


def test_a_row_written_while_a_full_read_runs_is_sent_by_the_next_push(
    shop, make_agent, hub_keys, tmp_path, monkeypatch
) -> None:
    """The key ledger of a cursor dataset's full read describes the rows sent, not a later read.

    A back-dated row committed right after the rows were read (failure injection: the insert
    runs when the connector's first read ends) is not in the snapshot; the next incremental,
    whose cursor read starts after its old cursor value, still finds and sends it.
    """
    from connectors.sql import SqlConnector

    setup = _items_agent(
        make_agent, "toko-during", shop, key=["id"], cursor="updated_at", mode="cursor"
    )
    cfg = setup.config()
    real_read, reads = SqlConnector.read, []

    def read_then_insert(self, request):  # type: ignore[no-untyped-def]
        yield from real_read(self, request)
        reads.append(request.columns)
        if len(reads) == 1:
            _sql(shop, "INSERT INTO items VALUES (99, 'c99', 9, 5)")  # cursor 5: long before max

    monkeypatch.setattr(SqlConnector, "read", read_then_insert)
    first, ds, reader = _export(cfg, hub_keys, setup, tmp_path / "n1")
    monkeypatch.undo()
    assert first.kind == "full" and 99 not in [r[0] for r in reader.iter_rows("items")]
    assert ds.keyset is not None and ds.keyset.count == 50
    assert ds.keyset.digest == _digest([str(i).encode() for i in range(1, 51)])  # the rows sent

    _inc, ds, reader = _export(cfg, hub_keys, setup, tmp_path / "n2")
    assert [r[0] for r in reader.iter_rows("items")] == [99]
    assert ds.keyset is not None and ds.keyset.count == 51
