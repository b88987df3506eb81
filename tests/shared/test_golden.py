"""The committed golden file pins the snapshot + seal format byte for byte."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from shared.keyset import SHA256, KeySetDigest
from shared.seal import open_snapshot, read_header
from tests.shared import golden_inputs as g
from tests.shared.conftest import hub_key, reseller_key


def _open(path: Path, dest: Path) -> Any:
    return open_snapshot(
        path,
        hub_private_key=hub_key(),
        signer_public_key=reseller_key().public_key(),
        dest_dir=dest,
    )


def test_golden_opens_to_the_expected_rows(tmp_path: Path) -> None:
    h = read_header(g.GOLDEN)
    assert (h.reseller_id, h.sequence, h.kind, h.created_at, h.chunk_size) == (
        "acme",
        7,
        "incremental",
        g.CREATED,
        g.CHUNK_SIZE,
    )
    r = _open(g.GOLDEN, tmp_path)
    m = r.manifest
    assert m is not None and m.agent_version == "golden-1"
    ds = m.dataset("products")
    assert [c.name for c in ds.columns] == [c.name for c in g.COLUMNS] and len(ds.parts) == 3
    rows = list(r.iter_rows("products"))
    assert len(rows) == len(g.ROWS)
    for got, want in zip(rows, g.ROWS):
        for c, a, b in zip(g.COLUMNS, got, want):
            if isinstance(b, float) and b == 0.0:
                assert a == 0.0 and math.copysign(1, a) == math.copysign(1, b)
            else:
                assert a == b and type(a) is type(b), (c.name, a, b)
    digest = KeySetDigest(SHA256)  # written before XXH3-128 sums
    for k in r.iter_keys("products"):
        digest.add(k)
    assert ds.keyset is not None and (digest.count, digest.hexdigest()) == (6, ds.keyset.digest)
    assert ds.warnings == {"day: invalid date -> NULL": 1} and (
        ds.cursor_min,
        ds.cursor_max,
        ds.since,
    ) == ("1", "5", "1")
    assert m.dataset("empty").rows == 0 and list(r.iter_rows("empty")) == []


def test_resealing_reproduces_the_golden_bytes(tmp_path: Path) -> None:
    out = tmp_path / g.GOLDEN.name
    g.build(tmp_path / "w", out)
    assert out.read_bytes() == g.GOLDEN.read_bytes(), (
        "the sealed snapshot format changed: if intended, bump the seal magic version and regenerate with "
        "`python -m tests.shared.golden_inputs`; if only libzstd changed its output, regenerate and say so"
    )


def test_golden_v2_carries_modes_deletes_and_digests_only(tmp_path: Path) -> None:
    r = _open(g.GOLDEN_V2, tmp_path)
    m = r.manifest
    assert m is not None and (m.format, m.sequence, m.answers) == (2, 8, ["req-1"])
    ds = m.dataset("products")
    assert ds.mode == "rowhash" and ds.rows == 2 and not m.complete(ds)
    assert [k.decode() for k in r.iter_deleted("products")] == [f"{k}\n" for k in g.DELETED_V2]
    assert ds.deleted is not None and ds.deleted.rows == len(g.DELETED_V2)
    digest = KeySetDigest(SHA256)  # written before XXH3-128 sums
    for k in g.KEYS:
        digest.add(str(k).encode())
    # the key set of every key at the source, without the key list itself
    assert ds.keyset is not None and ds.keyset.part is None
    assert (ds.keyset.count, ds.keyset.digest) == (digest.count, digest.hexdigest())
    unchanged = m.dataset("empty")  # nothing changed: no part of any kind, only the digests
    assert unchanged.rows == 0 and unchanged.members() == [] and unchanged.keyset is not None
    assert unchanged.keyset.count == len(g.UNCHANGED_KEYS) and unchanged.keyset.digest


def test_resealing_reproduces_the_golden_v2_bytes(tmp_path: Path) -> None:
    out = tmp_path / g.GOLDEN_V2.name
    g.build_v2(tmp_path / "w", out)
    assert out.read_bytes() == g.GOLDEN_V2.read_bytes(), "the format-2 snapshot format changed"
