"""Fixed inputs of the golden sealed snapshot (test-only keys, ephemeral key and salt).

Regenerate the golden files only for an intended format change:
``.venv/bin/python -m tests.shared.golden_inputs`` (then bump the seal
magic's version if the sealed format really changed). ``GOLDEN`` is a
format-1 manifest (the previous agent's, which the hub still accepts);
``GOLDEN_V2`` is what this agent writes (format 2: dataset modes, a deleted
part, an unchanged dataset carrying only its key-set digest, answers).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, List, Tuple

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.copytext import format_line
from shared.keyset import SHA256, KeySetDigest
from shared.seal import SealHeader, seal_snapshot
from shared.snapshot import SnapshotWriter
from shared.types import Column, encode_value
from shared.types import PortableType as T
from tests.shared.conftest import hub_key, reseller_key

GOLDEN = Path(__file__).parent / "golden" / "acme-000000000007-incremental.snap"
GOLDEN_V2 = Path(__file__).parent / "golden" / "acme-000000000008-incremental.snap"
DELETED_V2 = [7, 9]  # keys deleted at the source since snapshot 7
UNCHANGED_KEYS = ["a", "b"]  # the "empty" dataset: 2 rows at the source, none changed
UTC = dt.timezone.utc
CREATED = dt.datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
COLUMNS = [
    Column("id", T.INTEGER, nullable=False, native="INTEGER"),
    Column("sku", T.TEXT, native="VARCHAR(40)"),
    Column("price", T.DECIMAL, native="NUMERIC(38,10)"),
    Column("active", T.BOOLEAN, native="BOOLEAN"),
    Column("updated", T.TIMESTAMPTZ, native="TIMESTAMPTZ"),
    Column("local", T.TIMESTAMP, native="DATETIME"),
    Column("day", T.DATE, native="DATE"),
    Column("opens", T.TIME, native="TIME"),
    Column("ratio", T.FLOAT, native="REAL"),
    Column("photo", T.BINARY, native="BLOB"),
    Column("attrs", T.JSON, native="JSON"),
]
ROWS: List[Tuple[Any, ...]] = [
    (
        1,
        "A-1",
        Decimal("1234567890123456789012345678.0123456789"),
        True,
        dt.datetime(2024, 4, 30, 23, 59, 59, 999999, tzinfo=UTC),
        dt.datetime(2024, 1, 1, 0, 0),
        dt.date(2024, 2, 29),
        dt.time(8, 30),
        0.1,
        b"\x00\xff\n",
        {"color": "red", "sizes": [1, 2]},
    ),
    (2, "", Decimal("-0.50"), False, None, None, None, None, float("inf"), b"", []),
    (
        3,
        None,
        None,
        None,
        dt.datetime(1999, 12, 31, 22, tzinfo=UTC),
        dt.datetime(1, 1, 1, 0, 0, 0, 1),
        dt.date(1, 1, 1),
        dt.time(23, 59, 59, 500000),
        -0.0,
        None,
        {"q": 'tab\there \\ "quoted" 😀'},
    ),
    (
        4,
        "tab\there\nnewline \\N back\\slash 😀 𝔘",
        Decimal("0"),
        True,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
    (5, "Ünïcødé", Decimal("1E-10"), None, None, None, None, None, 1e300, b"\\x", None),
]
KEYS = [1, 2, 3, 4, 5, 6]  # 6: present at the source, unchanged since the last snapshot
EPHEMERAL = X25519PrivateKey.from_private_bytes(bytes([3]) * 32)
SALT = bytes(range(16))
CHUNK_SIZE = 256


def _writer(workdir: Path, sequence: int, created: dt.datetime, **kw: Any) -> SnapshotWriter:
    agent = f"golden-{kw.get('format', 2)}"
    return SnapshotWriter(
        workdir,
        "acme",
        sequence,
        "incremental",
        agent,
        "sqlite",
        part_rows=2,
        created_at=created,
        # the golden files are the agents before XXH3-128 digests: the hub still reads them
        digest_factory=lambda: KeySetDigest(SHA256),
        **kw,
    )


def _rows(rows: List[Tuple[Any, ...]]) -> bytes:
    return "".join(
        format_line([encode_value(c.type, v) for c, v in zip(COLUMNS, row)]) for row in rows
    ).encode()


def _keys(keys: List[Any]) -> bytes:
    return "".join(f"{k}\n" for k in keys).encode()


def build(workdir: Path, out_path: Path) -> SealHeader:
    w = _writer(workdir, 7, CREATED, format=1)
    ds = w.dataset("products", COLUMNS, ["id"], cursor_column="id", since="1")
    ds.write(_rows(ROWS))
    ds.add_keys(_keys(KEYS))
    ds.set_cursor_range("1", "5")
    ds.warn({"day: invalid date -> NULL": 1})
    w.dataset("empty", [Column("k", T.TEXT, nullable=False)], ["k"], keys_part=False)
    return _seal(w, out_path)


def build_v2(workdir: Path, out_path: Path) -> SealHeader:
    w = _writer(workdir, 8, CREATED + dt.timedelta(days=1), answers=["req-1"])
    ds = w.dataset("products", COLUMNS, ["id"], mode="rowhash")
    ds.write(_rows(ROWS[:2]))
    ds.add_keys(_keys(KEYS))
    ds.add_deleted(_keys(DELETED_V2))
    empty = w.dataset("empty", [Column("k", T.TEXT, nullable=False)], ["k"], mode="rowhash")
    empty.add_keys(_keys(UNCHANGED_KEYS))
    return _seal(w, out_path)


def _seal(w: SnapshotWriter, out_path: Path) -> SealHeader:
    return seal_snapshot(
        w,
        out_path,
        signing_key=reseller_key(),
        hub_public_key=hub_key().public_key(),
        chunk_size=CHUNK_SIZE,
        _ephemeral_key=EPHEMERAL,
        _salt=SALT,
    )


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        GOLDEN.parent.mkdir(exist_ok=True)
        build(Path(d) / "w", GOLDEN)
        build_v2(Path(d) / "w2", GOLDEN_V2)
    for path in (GOLDEN, GOLDEN_V2):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
