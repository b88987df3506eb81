"""The ledger: for every row (or key) of a dataset at its last committed snapshot, a hash and its key.

Why: an incremental must find the rows that changed and the keys that were
deleted without trusting a cursor or a row count. The agent reads the source
(the whole table in ``rowhash`` mode, the key and cursor columns in ``cursor``
mode), hashes every line, and compares with the ledger of its previous
snapshot: a hash the ledger lacks is an inserted or changed line; a ledger hash
no line produced is a changed or deleted row — deleted when no line of this
read carries its key. Deletes are therefore decided by key sets, never counts.

Storage, per dataset and committed sequence (``<state_dir>/ledger/``):

* ``<dataset>.<sequence>.hashes`` — 8 bytes per line (XXH3-64 of the exact
  line the snapshot would carry, after salt-hashing), machine byte order;
* ``<dataset>.<sequence>.keys.zst`` — the key lines in the same order.

The record of which files are valid (sequence, count, key-set digest, sizes,
the dataset's plan and salt fingerprint) is committed in the state database
*in the same transaction* as the cursors, so a failed export never leaves a
ledger that disagrees with them. Deleting the folder is safe: the next
incremental sends the dataset whole (``rowhash``) or its whole key list
(``cursor``), and the hub closes whatever the source lacks.

The line hash only has to tell this read's lines from the previous read's (no
adversary: the data is the reseller's own), so a fast non-cryptographic 64-bit
hash does: XXH3 (python-xxhash, the reference C implementation) costs 0.12 s
per 1M short lines where BLAKE2b-64 cost 0.61 s — paid on every full export and
every incremental's read. A ledger written with another hash has another
fingerprint (:data:`LINE_HASH`), so it is not trusted: the next incremental
sends the dataset or its key list whole, once.

Memory: an incremental holds the previous ledger's hashes in a sorted array
(9 bytes per row: 1M rows ≈ 9 MB, agent/hashmatch.py); the keys are streamed. Files are written
under a temporary name and renamed before the snapshot commits.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import xxhash
import zstandard

from agent.state import AgentState
from shared.atomic import fsync_dir

if TYPE_CHECKING:
    from agent.hashmatch import HashMatch

LEDGER_DIR = "ledger"
META_PREFIX = "ledger:"
LEVEL = 1
HASH_BYTES = 8
LINE_HASH = "xxh3"  # part of the fingerprint: ledgers of another line hash are not compared with


def line_hashes(lines: list[bytes]) -> bytes:
    """The 8-byte hash of each line (no newline), concatenated: one C-level pass, no Python per line."""
    return b"".join(map(xxhash.xxh3_64_digest, lines))


def as_ints(hashes: bytes) -> memoryview:
    """The hashes as unsigned 64-bit integers (machine order), without copying."""
    return memoryview(hashes).cast("Q")


def meta_key(dataset: str) -> str:
    return META_PREFIX + dataset


def fingerprint(plan_digest: str, salt: bytes, what: str) -> str:
    """What the ledger's lines depend on: the dataset's config, the hashing salt, rows or keys, the line hash."""
    return f"{what}:{LINE_HASH}:{plan_digest}:{hashlib.sha256(salt).hexdigest()[:16]}"


def paths(state_dir: Path, dataset: str, sequence: int) -> tuple[Path, Path]:
    base = state_dir / LEDGER_DIR / f"{dataset}.{sequence:012d}"
    return base.with_name(base.name + ".hashes"), base.with_name(base.name + ".keys.zst")


@dataclass
class Ledger:
    """A committed ledger: its files, line count and the key-set digest of its keys."""

    hashes_path: Path
    keys_path: Path
    count: int
    digest: str

    def matcher(self) -> HashMatch:
        """The ledger's hashes, for a read to take the ones it produces (agent/hashmatch.py)."""
        from agent.hashmatch import HashMatch  # NumPy (≈ 80 ms to import) only when comparing

        data = self.hashes_path.read_bytes()
        if len(data) != self.count * HASH_BYTES:
            raise ValueError(f"{self.hashes_path} holds {len(data)} bytes, not {self.count} hashes")
        return HashMatch(data)

    def keys_of(self, wanted: set[int], chunk_size: int = 1 << 20) -> set[bytes]:
        """The key lines (no newline) of the lines whose hash is in ``wanted`` (streamed, in C)."""
        found: set[bytes] = set()
        if not wanted:
            return found
        with open(self.hashes_path, "rb") as hashes:
            for lines in iter_key_lines(self.keys_path, chunk_size):
                ints = as_ints(hashes.read(len(lines) * HASH_BYTES))
                found.update(compress(lines, map(wanted.__contains__, ints)))
        return found


def iter_key_lines(path: Path, chunk_size: int = 1 << 20) -> Iterator[list[bytes]]:
    """Lists of key lines (no newline) from a ``.keys.zst`` file."""
    tail = b""
    with open(path, "rb") as fh:
        reader = zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True)
        while chunk := reader.read(chunk_size):
            data = tail + chunk
            cut = data.rfind(b"\n") + 1
            tail = data[cut:]
            if cut:
                yield data[: cut - 1].split(b"\n")
    if tail:
        raise ValueError(f"{path} ends inside a line")


def iter_key_chunks(path: Path, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """The key lines of a ``.keys.zst`` file as chunks of whole lines (for a snapshot's keys part)."""
    for lines in iter_key_lines(path, chunk_size):
        yield b"\n".join(lines) + b"\n"


def load(state: AgentState, state_dir: Path, dataset: str, fp: str) -> Optional[Ledger]:
    """The dataset's ledger when it was written for this config and salt (None: there is none to trust)."""
    return inspect(state, state_dir, dataset, fp)[0]


def inspect(
    state: AgentState, state_dir: Path, dataset: str, fp: str
) -> tuple[Optional[Ledger], str]:
    """The dataset's ledger to compare with, or why the one recorded is not trusted ("": none recorded).

    Checks the record and the files' sizes; a damaged keys file shows when it is read.
    """
    raw = state.get_meta(meta_key(dataset))
    if raw is None:
        return None, ""
    try:
        meta = json.loads(raw)
        seq, count, digest = int(meta["sequence"]), int(meta["count"]), str(meta["digest"])
        sizes = (int(meta["hashes_bytes"]), int(meta["keys_bytes"]))
        recorded, byteorder = str(meta["fingerprint"]), meta["byteorder"]
    except (ValueError, KeyError, TypeError):
        return None, "its record in the state database is unreadable"
    if recorded != fp:
        return None, _why_other(recorded, fp)
    if byteorder != sys.byteorder:
        return None, "it was written on a machine of another byte order"
    hashes, keys = paths(state_dir, dataset, seq)
    if not hashes.is_file() or not keys.is_file():
        return None, f"its files are missing from {hashes.parent}"
    if (hashes.stat().st_size, keys.stat().st_size) != sizes or sizes[0] != count * HASH_BYTES:
        return None, f"its files in {hashes.parent} do not have the recorded sizes"
    return Ledger(hashes, keys, count, digest), ""


def _why_other(recorded: str, fp: str) -> str:
    """Which part of :func:`fingerprint` differs, in the operator's words."""
    old, new = recorded.split(":"), fp.split(":")
    if len(old) != len(new) or old[1] != new[1]:
        return "it was written by an older agent version, which hashed lines differently"
    if old[2] != new[2]:
        return "the dataset's configuration changed since it was written"
    if old[3] != new[3]:
        return "the hashing salt changed since it was written"
    return "it was written for another read of the dataset"


def _temp_beside(path: Path) -> Path:
    """A temporary file of its own next to ``path`` (two exports never share a temp name)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


class LedgerWriter:
    """Writes the ledger of the snapshot being exported; ``finish`` gives its state-db record."""

    def __init__(self, state_dir: Path, dataset: str, sequence: int, fp: str) -> None:
        self.hashes_path, self.keys_path = paths(state_dir, dataset, sequence)
        self.hashes_path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = [_temp_beside(p) for p in (self.hashes_path, self.keys_path)]
        self.fp, self.sequence = fp, sequence
        self.count = 0
        self._hashes = open(self._tmp[0], "wb")  # noqa: SIM115 -- open across add() calls
        self._keys = open(self._tmp[1], "wb")  # noqa: SIM115
        self._zw = zstandard.ZstdCompressor(level=LEVEL, write_checksum=True).stream_writer(
            self._keys, closefd=False
        )

    def add(self, hashes: bytes, key_lines: bytes) -> None:
        """The hashes of some lines and their key lines (each ending with a newline), same order."""
        if hashes:
            self._hashes.write(hashes)
            self._zw.write(key_lines)
            self.count += len(hashes) // HASH_BYTES

    def finish(self, digest: str) -> str:
        """Close, fsync and rename the files; the record to commit with the snapshot."""
        self._zw.flush(zstandard.FLUSH_FRAME)
        self._zw.close()
        for fh in (self._hashes, self._keys):
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        for tmp, final in zip(self._tmp, (self.hashes_path, self.keys_path)):
            os.replace(tmp, final)
        fsync_dir(self.hashes_path.parent)
        return self.record(digest)

    def record(self, digest: str) -> str:
        """The state-db record of the finished files (with the key set's ``digest``)."""
        return json.dumps(
            {
                "sequence": self.sequence,
                "count": self.count,
                "digest": digest,
                "hashes_bytes": self.hashes_path.stat().st_size,
                "keys_bytes": self.keys_path.stat().st_size,
                "fingerprint": self.fp,
                "byteorder": sys.byteorder,
            }
        )

    def discard(self) -> None:
        if not self._hashes.closed:
            self._zw.close()
            self._hashes.close()
            self._keys.close()
        for tmp in self._tmp:
            tmp.unlink(missing_ok=True)


def prune(state: AgentState, state_dir: Path) -> None:
    """Remove ledger files no committed record points to (older ones, failed exports, old formats)."""
    for old in (state_dir / "keys",):  # the count-based key ledger of agents before format 2
        if old.is_dir():
            for path in old.iterdir():
                path.unlink(missing_ok=True)
            old.rmdir()
    folder = state_dir / LEDGER_DIR
    if not folder.is_dir():
        return
    keep: set[str] = set()
    for key, raw in state.meta_items(META_PREFIX):
        try:
            seq = int(json.loads(raw)["sequence"])
        except (ValueError, KeyError, TypeError):
            continue
        keep.update(p.name for p in paths(state_dir, key[len(META_PREFIX) :], seq))
    for path in folder.iterdir():
        if path.name not in keep:
            path.unlink(missing_ok=True)
