from __future__ import annotations

import datetime as dt
import hashlib
import random

import pytest
import xxhash
from hypothesis import given
from hypothesis import strategies as st

from shared import keyset
from shared.errors import SnapshotFormatError
from shared.keyset import KeySetDigest
from shared.manifest import (
    DatasetManifest,
    KeySet,
    Manifest,
    PartInfo,
    parse_snapshot_filename,
    snapshot_filename,
)
from shared.types import Column
from shared.types import PortableType as T

UTC = dt.timezone.utc
COLS = [Column("id", T.INTEGER), Column("name", T.TEXT)]


def manifest(**kw: object) -> Manifest:
    base: dict = dict(
        reseller_id="acme-1",
        agent_version="1",
        sequence=1,
        kind="full",
        created_at=dt.datetime(2024, 1, 1, tzinfo=UTC),
        source_platform="sqlite",
    )
    base.update(kw)
    return Manifest(**base)


def test_json_round_trip_and_utc() -> None:
    ds = DatasetManifest(
        name="p",
        columns=COLS,
        key=["id"],
        rows=2,
        parts=[PartInfo(name="data/p/1.tsv.zst", rows=2, bytes=8, sha256="0" * 64)],
    )
    m = manifest(
        created_at=dt.datetime(2024, 1, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        datasets=[ds],
    )
    assert m.created_at == dt.datetime(
        2024, 1, 1, tzinfo=UTC
    ) and m.created_at.utcoffset() == dt.timedelta(0)
    assert Manifest.from_json(m.to_json()) == m
    assert b'"created_at": "2024-01-01T00:00:00+00:00"' in m.to_json()


@pytest.mark.parametrize(
    "bad, fragment",
    [
        (dict(reseller_id="Acme"), "reseller_id"),
        (dict(sequence=0), "sequence"),
        (dict(kind="partial"), "kind"),
        (dict(created_at="2024-01-01T00:00:00"), "created_at"),
        (dict(extra_field=1), "extra_field"),
    ],
)
def test_invalid_manifest_is_a_format_error(bad: dict, fragment: str) -> None:
    doc = manifest().model_dump(mode="json")
    doc.update(bad)
    import json

    with pytest.raises(SnapshotFormatError, match=fragment):
        Manifest.from_json(json.dumps(doc))


@pytest.mark.parametrize(
    "kw",
    [
        dict(name=".."),
        dict(name="a/b"),
        dict(key=["nope"]),
        dict(key=[]),
        dict(cursor_column="x"),
        dict(rows=3),
        dict(parts=[PartInfo(name="data/p/2.tsv.zst", rows=2, bytes=1, sha256="0" * 64)]),
    ],
)
def test_dataset_validation(kw: dict) -> None:
    base: dict = dict(
        name="p",
        columns=COLS,
        key=["id"],
        rows=2,
        parts=[PartInfo(name="data/p/1.tsv.zst", rows=2, bytes=1, sha256="0" * 64)],
    )
    base.update(kw)
    with pytest.raises(ValueError):
        DatasetManifest(**base)


def test_wire_file_name() -> None:
    assert snapshot_filename("acme", 42, "incremental") == "acme-000000000042-incremental.snap"
    assert parse_snapshot_filename("acme-000000000042-incremental.snap") == (
        "acme",
        42,
        "incremental",
    )
    with pytest.raises(SnapshotFormatError):
        parse_snapshot_filename("acme-42-full.snap")


KEY_LISTS = st.lists(
    st.binary(max_size=20).filter(lambda b: b"\n" not in b), unique=True, max_size=50
)


def _reference(algorithm: str, keys: list[bytes]) -> str:
    """The contract's definition (docs/contract.md), written out independently of shared.keyset."""
    if algorithm == keyset.SHA256:
        total = sum(int.from_bytes(hashlib.sha256(k).digest(), "big") for k in keys)
        return f"{total % (1 << 256):064x}"
    total = sum(int.from_bytes(xxhash.xxh3_128_digest(k), "big") for k in keys)
    return f"xxh3-128:{total % (1 << 128):032x}"


@pytest.mark.parametrize("algorithm", keyset.ALGORITHMS)
@given(keys=KEY_LISTS, rnd=st.randoms())
def test_keyset_is_order_independent(algorithm: str, keys: list[bytes], rnd: random.Random) -> None:
    a, b = KeySetDigest(algorithm), KeySetDigest(algorithm)
    for k in keys:
        a.add(k)
    shuffled = keys[:]
    rnd.shuffle(shuffled)
    b.add_lines(b"".join(k + b"\n" for k in shuffled))
    assert (a.count, a.hexdigest()) == (b.count, b.hexdigest()) == (len(keys), b.hexdigest())
    assert a.hexdigest() == _reference(algorithm, keys)
    assert keyset.algorithm_of(a.hexdigest()) == algorithm
    assert keyset.text_of(algorithm, keyset.value_of(a.hexdigest())) == a.hexdigest()


@pytest.mark.parametrize("algorithm", keyset.ALGORITHMS)
@given(before=KEY_LISTS, added=KEY_LISTS)
def test_a_digest_moves_by_adding_and_subtracting_keys(
    algorithm: str, before: list[bytes], added: list[bytes]
) -> None:
    """What the hub's kept digest and the agent's ledger rely on: Σ(A ∪ B) − Σ(B) = Σ(A)."""
    added = [k for k in added if k not in before]
    total = keyset.value_of(_reference(algorithm, before)) + keyset.sum_of(added, algorithm)
    assert keyset.text_of(algorithm, total) == _reference(algorithm, before + added)
    back = keyset.value_of(_reference(algorithm, before + added)) - keyset.sum_of(added, algorithm)
    assert keyset.text_of(algorithm, back) == _reference(algorithm, before)


def test_the_digest_text_names_its_hash_and_a_manifest_takes_both() -> None:
    assert KeySetDigest().hexdigest() == "xxh3-128:" + "0" * 32  # this agent's, empty set
    assert KeySetDigest(keyset.SHA256).hexdigest() == "0" * 64  # the previous agents'
    for bad in ("xxh3-128:" + "0" * 31, "f" * 63, "md5:" + "0" * 32, "XXH3-128:" + "0" * 32):
        with pytest.raises(ValueError, match="not a key-set digest"):
            keyset.algorithm_of(bad)
        with pytest.raises(ValueError, match="64 lowercase hex digits"):
            KeySet(count=0, digest=bad)
    for good in ("xxh3-128:" + "a" * 32, "b" * 64):
        assert KeySet(count=0, digest=good).digest == good
    with pytest.raises(ValueError, match="unknown key-set digest"):
        KeySetDigest("md5")


def test_keyset_differs_when_a_key_differs() -> None:
    a, b = KeySetDigest(), KeySetDigest()
    a.add_lines(b"1\n2\n")
    b.add_lines(b"1\n3\n")
    assert a.hexdigest() != b.hexdigest()
    c = KeySetDigest()
    c.add(b"1\n")
    c.add(b"2")
    assert c.hexdigest() == a.hexdigest()


def test_format_2_fields_are_checked_and_format_1_stays_as_it_was() -> None:
    part = PartInfo(name="data/t/deleted.tsv.zst", rows=1, bytes=2, sha256="0" * 64)
    ds = DatasetManifest(name="t", columns=COLS, key=["id"], rows=0, mode="rowhash", deleted=part)
    m = manifest(kind="incremental", datasets=[ds], answers=["r-1"])
    assert Manifest.from_json(m.to_json()) == m and not m.complete(ds) and ds.members() == [part]
    assert manifest(datasets=[ds]).complete(ds)  # a full snapshot's datasets are complete
    with pytest.raises(ValueError, match="deleted part must be named"):
        DatasetManifest(
            name="t",
            columns=COLS,
            key=["id"],
            rows=0,
            mode="rowhash",
            deleted=part.model_copy(update={"name": "x"}),
        )
    with pytest.raises(ValueError, match="needs mode cursor or rowhash"):
        DatasetManifest(name="t", columns=COLS, key=["id"], rows=0, mode="full", deleted=part)
    with pytest.raises(ValueError, match="format 1 has no mode"):
        manifest(format=1, datasets=[ds])
    plain = DatasetManifest(name="t", columns=COLS, key=["id"], rows=0)
    v1 = manifest(format=1, datasets=[plain])
    assert b'"mode"' not in v1.to_json() and b'"answers"' not in v1.to_json()
    assert Manifest.from_json(v1.to_json()) == v1
