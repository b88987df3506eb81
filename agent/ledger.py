"""The key ledger: every key line a cursor dataset had at its last committed snapshot.

Why: an incremental must tell the hub whether keys were deleted. Reading every
key of a large table each night is most of an incremental's time; with the
ledger, the agent counts the source first, then reads the changed rows: if
``count == ledger count + changed keys not in the ledger`` nothing was
deleted, and the snapshot carries only that count (``KeySet(count=n)``, see
docs/contract.md). Otherwise it reads every key as before and rebuilds the
ledger from them.

Storage: ``<state_dir>/keys/<dataset>.<sequence>.keys.zst`` (zstd frames of
the exact key lines a keys part would carry — after salt-hashing), written
under a temporary name and renamed before the snapshot commits. Which file is
valid (its sequence, key count, plan digest and salt fingerprint) is recorded
in the state database *in the same transaction* as the cursors, so a failed
export never makes a ledger disagree with the cursors. Deleting the folder is
safe: the next incremental reads every key and rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import zstandard

from agent.state import AgentState
from shared.atomic import fsync_dir

LEDGER_DIR = "keys"
META_PREFIX = "ledger:"
LEVEL = 1


def meta_key(dataset: str) -> str:
    return META_PREFIX + dataset


def fingerprint(plan_digest: str, salt: bytes) -> str:
    """What the key lines depend on: the dataset's config and the hashing salt."""
    return plan_digest + ":" + hashlib.sha256(salt).hexdigest()[:16]


def ledger_path(state_dir: Path, dataset: str, sequence: int) -> Path:
    return state_dir / LEDGER_DIR / f"{dataset}.{sequence:012d}.keys.zst"


@dataclass
class Ledger:
    """A committed ledger: its file and the source's key count then.

    The keys are never all held in memory: a night's question is only which of
    its few changed keys the ledger already has, answered by streaming the file.
    """

    path: Path
    count: int

    def present(self, candidates: set[bytes], chunk_size: int = 1 << 20) -> Optional[set[bytes]]:
        """The ``candidates`` (key lines without newline) found in the ledger; None: the file is damaged."""
        found: set[bytes] = set()
        lines, tail = 0, b""
        try:
            with open(self.path, "rb") as fh:
                reader = zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True)
                while chunk := reader.read(chunk_size):
                    data = tail + chunk if tail else chunk
                    cut = data.rfind(b"\n") + 1
                    tail = data[cut:]
                    if cut:
                        whole = data[: cut - 1].split(b"\n")
                        lines += len(whole)
                        if candidates:
                            found.update(candidates.intersection(whole))
        except zstandard.ZstdError:
            return None
        if tail or lines != self.count:
            return None  # truncated or not the file the record describes
        return found

    def all_keys(self) -> set[bytes]:
        """Every key line (for checks and tests; a night never needs them all)."""
        with open(self.path, "rb") as fh:
            data = zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True).read()
        return set(data.split(b"\n")) - {b""}


def load(state: AgentState, state_dir: Path, dataset: str, fp: str) -> Optional[Ledger]:
    """The dataset's ledger when it was written for this config and salt (None: rebuild it).

    Checks the record and the file's size only; :meth:`Ledger.present` checks its lines.
    """
    raw = state.get_meta(meta_key(dataset))
    if raw is None:
        return None
    try:
        meta = json.loads(raw)
        seq, count, size = int(meta["sequence"]), int(meta["count"]), int(meta["bytes"])
        stored_fp = str(meta["fingerprint"])
    except (ValueError, KeyError, TypeError):
        return None
    path = ledger_path(state_dir, dataset, seq)
    if stored_fp != fp or not path.is_file() or path.stat().st_size != size:
        return None
    return Ledger(path, count)


class LedgerWriter:
    """Writes the ledger for the snapshot being exported; ``finish`` gives its state-db record.

    ``base``: a committed ledger to extend (copied, then the new keys appended as
    one more zstd frame), so the committed file is never modified.
    """

    def __init__(
        self, state_dir: Path, dataset: str, sequence: int, fp: str, base: Optional[Ledger] = None
    ) -> None:
        self.path = ledger_path(state_dir, dataset, sequence)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        os.close(fd)
        self._tmp = Path(tmp)
        self.fp, self.sequence = fp, sequence
        self.count = 0
        if base is not None:
            shutil.copyfile(base.path, self._tmp)
            self.count = base.count
        self._file = open(self._tmp, "ab")  # noqa: SIM115 -- stays open across add() calls
        self._zw = zstandard.ZstdCompressor(level=LEVEL, write_checksum=True).stream_writer(
            self._file, closefd=False
        )

    def add(self, lines: bytes) -> None:
        """Whole key lines, each ending with a newline."""
        if lines:
            self._zw.write(lines)
            self.count += lines.count(b"\n")

    def finish(self) -> str:
        """Close, fsync and rename the file; the record to commit with the snapshot."""
        self._zw.flush(zstandard.FLUSH_FRAME)
        self._zw.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self.path)
        fsync_dir(self.path.parent)
        return json.dumps(
            {
                "sequence": self.sequence,
                "count": self.count,
                "bytes": self.path.stat().st_size,
                "fingerprint": self.fp,
            }
        )

    def discard(self) -> None:
        if not self._file.closed:
            self._zw.close()
            self._file.close()
        self._tmp.unlink(missing_ok=True)


def prune(state: AgentState, state_dir: Path) -> None:
    """Remove ledger files no committed record points to (older ones, failed exports)."""
    folder = state_dir / LEDGER_DIR
    if not folder.is_dir():
        return
    keep = set()
    for key, raw in state.meta_items(META_PREFIX):
        try:
            keep.add(
                ledger_path(
                    state_dir, key[len(META_PREFIX) :], int(json.loads(raw)["sequence"])
                ).name
            )
        except (ValueError, KeyError, TypeError):
            continue
    for path in folder.iterdir():
        if path.name not in keep:
            path.unlink(missing_ok=True)
