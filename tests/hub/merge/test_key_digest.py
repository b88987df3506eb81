"""The hub's maintained key-set digest: incrementals without deletes skip delete detection (SQLite + PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.merge import DatasetStats, merge_snapshot, tables
from hub.merge.dialect import current_keys_digest
from hub.merge.models import MergedDataset
from shared import keyset
from shared.copytext import format_line
from shared.keyset import KeySetDigest
from tests.hub.merge.snapbuild import build, cols

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 3, 1, 22, 0, tzinfo=UTC)
ITEMS = cols("id:integer!", "code:text!", "name:text")
KEY = ["id", "code"]
_resellers = itertools.count(1)

Rows = dict[tuple[int, str], str | None]


def push(
    db: sessionmaker[Session],
    tmp: Path,
    rid: str,
    day: int,
    rows: Rows,
    kind: str = "full",
    keys: list[tuple[int, str]] | None = None,
    digest: str = keyset.DEFAULT,
) -> DatasetStats:
    """Merge ``rows`` (key → name) as reseller ``rid``'s snapshot; ``keys``: the incremental's full key list."""
    manifest, reader = build(
        tmp,
        {"items": (ITEMS, KEY, [(i, c, n) for (i, c), n in rows.items()])},
        kind=kind,
        created_at=T0 + dt.timedelta(days=day),
        reseller_id=rid,
        keys={"items": keys} if keys is not None else None,
        digest=digest,
    )
    with transaction(db) as s:
        stats = merge_snapshot(
            s,
            reseller_id=rid,
            snapshot_id=day + 1,
            manifest=manifest,
            reader=reader,
            received_at=T0 + dt.timedelta(days=day, minutes=5),
        )
    return stats.datasets["items"]


def stored_and_recomputed(db: sessionmaker[Session], rid: str) -> tuple[str | None, str, int]:
    with db() as s:
        md = s.get(MergedDataset, (rid, "items"))
        assert md is not None
        n, digest = current_keys_digest(s, tables.of(rid, "items").current, keyset.DEFAULT)
        assert n == md.current_rows
        return md.key_digest, digest, n


def source_digest(keys: list[tuple[int, str]], algorithm: str = keyset.DEFAULT) -> str:
    d = KeySetDigest(algorithm)
    for i, c in keys:
        d.add(format_line([str(i), c]).encode())
    return d.hexdigest()


BASE: Rows = {(1, "a"): "one", (2, "tab\there"): "two", (3, "back\\slash"): "three", (4, "d"): None}


def test_incremental_without_deletes_skips_delete_detection(db, tmp_path):
    rid = f"kd{next(_resellers)}"
    assert push(db, tmp_path, rid, 0, BASE).delete_check == "full"
    changes = {(2, "tab\there"): "two v2", (5, "new"): "five"}
    st_ = push(db, tmp_path, rid, 1, changes, "incremental", keys=[*BASE, (5, "new")])
    assert st_.delete_check == "skipped"
    assert (st_.inserted, st_.updated, st_.deleted, st_.warnings) == (1, 1, 0, [])
    stored, recomputed, n = stored_and_recomputed(db, rid)
    assert stored == recomputed == source_digest([*BASE, (5, "new")]) and n == 5


def test_incremental_with_a_delete_is_still_detected(db, tmp_path):
    rid = f"kd{next(_resellers)}"
    push(db, tmp_path, rid, 0, BASE)
    keys = [k for k in BASE if k != (3, "back\\slash")] + [(6, "x")]
    st_ = push(db, tmp_path, rid, 1, {(6, "x"): "six"}, "incremental", keys=keys)
    assert st_.delete_check == "full"
    assert (st_.inserted, st_.deleted, st_.warnings) == (1, 1, [])
    stored, recomputed, _ = stored_and_recomputed(db, rid)
    assert stored == recomputed == source_digest(keys)
    # and with the digest back in step, the next quiet night is cheap again
    assert push(db, tmp_path, rid, 2, {}, "incremental", keys=keys).delete_check == "skipped"


def test_dataset_merged_before_digests_were_kept_gets_one_full_check(db, tmp_path):
    rid = f"kd{next(_resellers)}"
    push(db, tmp_path, rid, 0, BASE)
    with transaction(db) as s:  # as left by a hub before merge_0004
        s.execute(
            text("UPDATE merged_datasets SET key_digest = NULL WHERE reseller_id = :r"), {"r": rid}
        )
    assert push(db, tmp_path, rid, 1, {}, "incremental", keys=list(BASE)).delete_check == "full"
    stored, recomputed, _ = stored_and_recomputed(db, rid)
    assert stored == recomputed == source_digest(list(BASE))
    assert push(db, tmp_path, rid, 2, {}, "incremental", keys=list(BASE)).delete_check == "skipped"


@pytest.mark.parametrize(
    "before, after", [(keyset.SHA256, keyset.XXH3), (keyset.XXH3, keyset.SHA256)]
)
def test_an_agent_that_changes_its_digest_hash_costs_one_full_check(db, tmp_path, before, after):
    """An agent upgrade (SHA-256 → XXH3-128 sums), or a reinstalled older agent: the hub's kept
    digest is in the other hash, so the first incremental checks the key list in full and keeps
    the digest in the new hash from then on — no false "keys differ", no missed delete."""
    rid = f"kd{next(_resellers)}"
    push(db, tmp_path, rid, 0, BASE, digest=before)
    stored, _, _ = stored_and_recomputed(db, rid)
    assert stored == source_digest(list(BASE), before)
    keys = [k for k in BASE if k != (4, "d")]  # one key deleted at the source meanwhile
    st_ = push(db, tmp_path, rid, 1, {}, "incremental", keys=keys, digest=after)
    assert (st_.delete_check, st_.deleted, st_.warnings) == ("full", 1, [])
    with db() as s:
        md = s.get(MergedDataset, (rid, "items"))
        assert md is not None and md.key_digest == source_digest(keys, after)
        assert current_keys_digest(s, tables.of(rid, "items").current, after)[1] == md.key_digest
    quiet = push(db, tmp_path, rid, 2, {}, "incremental", keys=keys, digest=after)
    assert (quiet.delete_check, quiet.warnings) == ("skipped", [])


def test_incremental_without_key_list_cannot_check_deletes(db, tmp_path):
    rid = f"kd{next(_resellers)}"
    push(db, tmp_path, rid, 0, BASE)
    st_ = push(db, tmp_path, rid, 1, {(1, "a"): "uno"}, "incremental")
    assert st_.delete_check == "none" and st_.deleted == 0


KEYS = st.tuples(st.integers(1, 6), st.sampled_from(["a", "b\tc", "d\\e", ""]))
STATES = st.dictionaries(KEYS, st.sampled_from(["x", "y", None]), max_size=8)
STEPS = st.lists(
    st.tuples(STATES, st.sampled_from(["full", "incremental", "incremental", "no-keys"])),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(STEPS)
def test_stored_digest_always_equals_a_recomputation(db, tmp_path, steps):
    """Any sequence of full / incremental (with or without key list) merges keeps the digest exact."""
    rid = f"kd{next(_resellers)}"
    source: Rows = {}
    hub_keys: set[tuple[int, str]] = set()
    for day, (new_state, kind) in enumerate(steps):
        changed = {k: v for k, v in new_state.items() if k not in source or source[k] != v}
        if kind == "full" or day == 0:
            stats = push(db, tmp_path, rid, day, new_state)
            hub_keys = set(new_state)
            assert stats.delete_check == "full"
        elif kind == "incremental":
            stats = push(db, tmp_path, rid, day, changed, "incremental", keys=list(new_state))
            no_deletes = hub_keys | set(changed) == set(new_state)
            assert stats.delete_check == ("skipped" if no_deletes else "full")
            hub_keys = set(new_state)
        else:
            stats = push(db, tmp_path, rid, day, changed, "incremental")
            hub_keys |= set(changed)
            assert stats.delete_check == "none"
        source = new_state
        stored, recomputed, n = stored_and_recomputed(db, rid)
        assert stored == recomputed == source_digest(sorted(hub_keys))
        assert n == len(hub_keys)


def push_count_only(
    db: sessionmaker[Session], tmp: Path, rid: str, day: int, rows: Rows, count: int
) -> DatasetStats:
    """An incremental whose agent proved locally that nothing was deleted: the key set is a count only."""
    from shared.manifest import KeySet

    manifest, reader = build(
        tmp,
        {"items": (ITEMS, KEY, [(i, c, n) for (i, c), n in rows.items()])},
        kind="incremental",
        created_at=T0 + dt.timedelta(days=day),
        reseller_id=rid,
    )
    ds = manifest.datasets[0].model_copy(update={"keyset": KeySet(count=count)})
    manifest = manifest.model_copy(update={"datasets": [ds]})
    with transaction(db) as s:
        stats = merge_snapshot(
            s,
            reseller_id=rid,
            snapshot_id=day + 1,
            manifest=manifest,
            reader=reader,
            received_at=T0 + dt.timedelta(days=day, minutes=5),
        )
    return stats.datasets["items"]


def test_count_only_key_set_is_checked_against_the_hubs_count(db, tmp_path):
    rid = f"kd{next(_resellers)}"
    push(db, tmp_path, rid, 0, BASE)
    st_ = push_count_only(
        db, tmp_path, rid, 1, {(2, "tab\there"): "two v2", (7, "n"): "seven"}, count=5
    )
    assert st_.delete_check == "agent"
    assert (st_.inserted, st_.updated, st_.deleted, st_.warnings) == (1, 1, 0, [])
    stored, recomputed, n = stored_and_recomputed(db, rid)
    assert stored == recomputed == source_digest([*BASE, (7, "n")]) and n == 5
    # a count that does not add up is reported (the next full snapshot resynchronises)
    st_ = push_count_only(db, tmp_path, rid, 2, {(1, "a"): "uno"}, count=4)
    assert st_.delete_check == "agent" and st_.deleted == 0
    assert any("key set mismatch" in w for w in st_.warnings)


def test_a_keys_part_without_its_digest_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    from shared.manifest import KeySet, PartInfo

    part = PartInfo(name="data/items/keys.tsv.zst", rows=1, bytes=2, sha256="0" * 64)
    with pytest.raises(ValidationError, match="must carry their digest"):
        KeySet(count=1, part=part)
