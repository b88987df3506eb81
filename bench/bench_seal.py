"""Snapshot write + seal + open throughput vs `zstd -3` and `cat` on the same bytes.

Usage: python bench/bench_seal.py [MiB=256]. Prints MiB/s and the ratio to the
baseline; never asserted by tests (timings depend on the machine).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.seal import open_snapshot, seal_snapshot
from shared.snapshot import SnapshotWriter
from shared.types import Column
from shared.types import PortableType as T


def make_input(path: Path, mib: int) -> None:
    """COPY-like lines with some entropy (ids, skus, prices, timestamps)."""
    rnd = os.urandom(1 << 16).hex()
    block = "".join(
        f"{i}\tSKU-{rnd[i % 4000 : i % 4000 + 12]}\t{i % 997}.{i % 100:02d}\t2024-05-01 12:{i % 60:02d}:00+00\n"
        for i in range(20000)
    ).encode()
    with open(path, "wb") as f:
        for _ in range(-(-(mib << 20) // len(block))):
            f.write(block)


def timed(label: str, size: int, fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    s = time.perf_counter() - t
    print(f"{label:<34} {s:7.2f}s  {size / s / (1 << 20):8.1f} MiB/s")
    return s


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    sk, hk = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        src = root / "input.tsv"
        make_input(src, mib)
        size = src.stat().st_size
        print(f"input: {size / (1 << 20):.0f} MiB of COPY lines")
        cat = timed(
            "baseline: cat > file",
            size,
            lambda: subprocess.run(f"cat {src} > {root}/cat.out", shell=True, check=True),
        )
        zst = timed(
            "baseline: zstd -3 -T1",
            size,
            lambda: subprocess.run(
                ["zstd", "-q", "-3", "-T1", "-f", str(src), "-o", str(root / "z.zst")], check=True
            ),
        )

        def export() -> None:
            w = SnapshotWriter(
                root / "snap",
                "bench",
                1,
                "full",
                "bench",
                "files",
                created_at=dt.datetime.now(dt.timezone.utc),
            )
            ds = w.dataset(
                "t",
                [
                    Column("id", T.INTEGER),
                    Column("sku", T.TEXT),
                    Column("price", T.DECIMAL),
                    Column("at", T.TIMESTAMPTZ),
                ],
                ["id"],
            )
            with open(src, "rb") as f:
                while chunk := f.read(1 << 20):
                    ds.write(chunk)
            seal_snapshot(w, root / "x.snap", signing_key=sk, hub_public_key=hk.public_key())

        exp = timed("write + seal (agent)", size, export)
        opn = timed(
            "open + verify + extract (hub)",
            size,
            lambda: open_snapshot(
                root / "x.snap",
                hub_private_key=hk,
                signer_public_key=sk.public_key(),
                dest_dir=root / "out",
            ),
        )
        print(
            f"ratio agent/zstd: {exp / zst:.2f}x   agent/cat: {exp / cat:.2f}x   hub/zstd: {opn / zst:.2f}x"
        )


if __name__ == "__main__":
    main()
