"""Fixed inputs of the golden sealed snapshot (test-only keys, ephemeral key and salt).

Regenerate the golden file only for an intended format change:
``/work/venv/bin/python -m tests.shared.golden_inputs`` (then bump the seal
magic's version if the format really changed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, List, Tuple

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.copytext import format_line
from shared.seal import SealHeader, seal_snapshot
from shared.snapshot import SnapshotWriter
from shared.types import Column, encode_value
from shared.types import PortableType as T
from tests.shared.conftest import hub_key, reseller_key

GOLDEN = Path(__file__).parent / "golden" / "acme-000000000007-incremental.snap"
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


def build(workdir: Path, out_path: Path) -> SealHeader:
    w = SnapshotWriter(
        workdir, "acme", 7, "incremental", "golden-1", "sqlite", part_rows=2, created_at=CREATED
    )
    ds = w.dataset("products", COLUMNS, ["id"], cursor_column="id", since="1")
    ds.write(
        "".join(
            format_line([encode_value(c.type, v) for c, v in zip(COLUMNS, row)]) for row in ROWS
        ).encode()
    )
    ds.add_keys("".join(f"{k}\n" for k in KEYS).encode())
    ds.set_cursor_range("1", "5")
    ds.warn({"day: invalid date -> NULL": 1})
    w.dataset("empty", [Column("k", T.TEXT, nullable=False)], ["k"], keys_part=False)
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
    print(f"wrote {GOLDEN} ({GOLDEN.stat().st_size} bytes)")
