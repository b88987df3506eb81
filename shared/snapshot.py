"""Writing snapshots (plaintext, before sealing); reading is :mod:`shared.snapshot_reader`.

The write path never looks at single rows: it takes chunks of COPY-text bytes,
counts rows with ``bytes.count(b"\\n")``, hashes and compresses chunk by
chunk, and cuts a new part every ``part_rows`` rows. Memory is flat whatever
the table size. The transport form is an uncompressed ustar stream with
``manifest.json`` first (see ``docs/contract.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tarfile
from pathlib import Path
from typing import IO, Callable, Dict, Iterable, Iterator, List, Optional, Sequence

import zstandard

from shared.atomic import write_atomic
from shared.errors import SnapshotFormatError
from shared.keyset import KeyDigest, KeySetDigest
from shared.manifest import (
    DATASET_NAME_RE,
    FORMAT,
    DatasetManifest,
    KeySet,
    Kind,
    Manifest,
    Mode,
    PartInfo,
    deleted_part_name,
    keys_part_name,
    part_name,
)
from shared.types import Column

CHUNK = 1 << 20
MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 64 << 20
ZSTD_LEVEL = 3


def _nth_newline(data: bytes, k: int) -> int:
    """Index of the ``k``-th (1-based) newline in ``data``; C-speed counting, no per-row loop."""
    lo, hi = 0, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        if data.count(b"\n", 0, mid + 1) >= k:
            hi = mid
        else:
            lo = mid + 1
    return lo


class _Lines:
    """Keeps the incomplete last line of a chunk until its newline arrives."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.tail = b""

    def feed(self, chunk: bytes) -> bytes:
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            self.tail += chunk
            return b""
        whole = self.tail + chunk[:cut] if self.tail else chunk[:cut]
        self.tail = chunk[cut:]
        return bytes(whole)

    def finish(self) -> None:
        if self.tail:
            raise SnapshotFormatError(
                f"{self.what}: the last line has no newline ({len(self.tail)} bytes pending)",
                hint="connectors must emit whole COPY lines, each ending with \\n",
            )


class _PartSink:
    """One zstd frame on disk; sha256, size and rows of the uncompressed bytes."""

    def __init__(self, path: Path, name: str, level: int, threads: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.name = name
        self._file = open(path, "wb")  # noqa: SIM115 -- stays open across write() calls
        self._zw = zstandard.ZstdCompressor(level=level, threads=threads).stream_writer(
            self._file, closefd=False
        )
        self._sha = hashlib.sha256()
        self.bytes = 0
        self.rows = 0

    def write(self, data: bytes, rows: int) -> None:
        self._zw.write(data)
        self._sha.update(data)
        self.bytes += len(data)
        self.rows += rows

    def close(self) -> PartInfo:
        self._zw.flush(zstandard.FLUSH_FRAME)
        self._zw.close()  # type: ignore[no-untyped-call]  # zstandard's writer has no annotations
        self._file.close()
        return PartInfo(
            name=self.name, rows=self.rows, bytes=self.bytes, sha256=self._sha.hexdigest()
        )


class DatasetWriter:
    """Receives one dataset's COPY lines (and optionally its key lines) in chunks."""

    def __init__(
        self,
        snapshot: SnapshotWriter,
        name: str,
        columns: Sequence[Column],
        key: Sequence[str],
        cursor_column: str | None,
        since: str | None,
        keys_part: bool,
        mode: Optional[Mode] = None,
    ) -> None:
        self._snap = snapshot
        self.mode = mode
        self.name = name
        self.columns = list(columns)
        self.key = list(key)
        self.cursor_column = cursor_column
        self.since = since
        self.cursor_min: str | None = None
        self.cursor_max: str | None = None
        self.warnings: Dict[str, int] = {}
        self._lines = _Lines(f"dataset {name}")
        self._key_lines = _Lines(f"dataset {name} keys")
        self._part: _PartSink | None = None
        self._parts: List[PartInfo] = []
        self._digest: KeyDigest | None = snapshot.digest_factory() if keys_part else None
        self._keys_sink: _PartSink | None = (
            self._snap._sink(keys_part_name(name)) if keys_part else None
        )
        self._key_count: int | None = None
        self._key_digest: tuple[int, str] | None = None
        self._deleted_lines = _Lines(f"dataset {name} deleted keys")
        self._deleted: _PartSink | None = None
        self.result: DatasetManifest | None = None

    def write(self, chunk: bytes) -> int:
        """Append COPY lines; a chunk may end mid-line (the rest is kept for the next call).

        Returns how many lines this call completed (the caller need not count them again).
        """
        self._check_open()
        data = self._lines.feed(chunk)
        total = n = data.count(b"\n")
        limit = self._snap.part_rows
        while data:
            if self._part is None:
                self._part = self._snap._sink(part_name(self.name, len(self._parts) + 1))
            room = limit - self._part.rows
            if n < room:
                self._part.write(data, n)
                break
            cut = _nth_newline(data, room) + 1
            self._part.write(data[:cut], room)
            self._parts.append(self._part.close())
            self._part = None
            data, n = data[cut:], n - room
        return total

    def add_keys(self, chunk: bytes) -> None:
        """Add key lines (key columns as COPY lines) to the keyset digest and the keys part if any."""
        self._check_open()
        data = self._key_lines.feed(chunk)
        if self._digest is None:
            self._digest = self._snap.digest_factory()
        self._digest.add_lines(data)
        if self._keys_sink is not None and data:
            self._keys_sink.write(data, data.count(b"\n"))

    def keyset_digest(self) -> tuple[int, str]:
        """(count, digest) of the key set: as set by :meth:`set_key_digest`, or of the key lines
        added so far (call after the last :meth:`add_keys`)."""
        if self._key_digest is not None:
            return self._key_digest
        if self._digest is None:
            self._digest = self._snap.digest_factory()
        return self._digest.count, self._digest.hexdigest()

    def set_key_digest(self, count: int, digest: str) -> None:
        """The key set's count and digest, known without the key lines (an agent that derived
        them from its ledger: the digest before plus the inserted keys minus the deleted ones)."""
        self._check_open()
        if self._digest is not None and self._digest.count:
            raise RuntimeError(f"dataset {self.name}: key lines were already added")
        self._key_digest = (count, digest)

    def attach_keys_part(self, chunks: Iterable[bytes]) -> None:
        """Store every key line in the keys part after their digest was taken by :meth:`add_keys`.

        For an agent that learns only at the end of a read that the hub needs the
        whole key list (its key ledger disagreed with the source's key set, or the
        hub asked for it): the lines must be the ones already added, same count.
        """
        self._check_open()
        if self._keys_sink is not None:
            raise RuntimeError(f"dataset {self.name} already has a keys part")
        sink = self._keys_sink = self._snap._sink(keys_part_name(self.name))
        lines = _Lines(f"dataset {self.name} keys part")
        for chunk in chunks:
            data = lines.feed(chunk)
            if data:
                sink.write(data, data.count(b"\n"))
        lines.finish()

    def add_deleted(self, chunk: bytes) -> None:
        """Key lines of rows deleted at the source since the agent's previous snapshot (format 2)."""
        self._check_open()
        if self.mode not in ("cursor", "rowhash"):
            raise RuntimeError(f"dataset {self.name}: deleted keys need mode cursor or rowhash")
        data = self._deleted_lines.feed(chunk)
        if data:
            if self._deleted is None:
                self._deleted = self._snap._sink(deleted_part_name(self.name))
            self._deleted.write(data, data.count(b"\n"))

    def set_key_count(self, count: int) -> None:
        """Send only the key count (``KeySet(count=n)``): the agent proved no key was deleted."""
        self._check_open()
        if count < 0:
            raise ValueError("a key count cannot be negative")
        if self._digest is not None and self._digest.count:
            raise RuntimeError(
                f"dataset {self.name}: key lines were already added; a count-only key set has none"
            )
        self._key_count = count

    def set_cursor_range(self, cursor_min: str | None, cursor_max: str | None) -> None:
        """Canonical text of the lowest and highest cursor value written (None when no rows)."""
        self.cursor_min, self.cursor_max = cursor_min, cursor_max

    def warn(self, counts: Dict[str, int]) -> None:
        """Merge ``{"column: reason": rows}`` into this dataset's warnings."""
        for k, v in counts.items():
            self.warnings[k] = self.warnings.get(k, 0) + int(v)

    def close(self) -> DatasetManifest:
        if self.result is not None:
            return self.result
        self._lines.finish()
        self._key_lines.finish()
        self._deleted_lines.finish()
        if self._part is not None:
            self._parts.append(self._part.close())
            self._part = None
        keyset = None
        if self._key_count is not None:
            if self._keys_sink is not None:  # started empty; nothing of it goes into the snapshot
                self._keys_sink.close()
                (self._snap.workdir / self._keys_sink.name).unlink()
            keyset = KeySet(count=self._key_count)
        elif self._key_digest is not None:
            kp = self._keys_sink.close() if self._keys_sink is not None else None
            keyset = KeySet(count=self._key_digest[0], digest=self._key_digest[1], part=kp)
        elif self._digest is not None:
            kp = self._keys_sink.close() if self._keys_sink is not None else None
            if kp is not None and kp.rows != self._digest.count:
                raise RuntimeError(
                    f"dataset {self.name}: the keys part holds {kp.rows} lines, the key set {self._digest.count}"
                )
            keyset = KeySet(count=self._digest.count, digest=self._digest.hexdigest(), part=kp)
        self.result = DatasetManifest(
            name=self.name,
            columns=self.columns,
            key=self.key,
            cursor_column=self.cursor_column,
            cursor_min=self.cursor_min,
            cursor_max=self.cursor_max,
            since=self.since,
            rows=sum(p.rows for p in self._parts),
            parts=self._parts,
            keyset=keyset,
            warnings=self.warnings,
            mode=self.mode,
            deleted=self._deleted.close() if self._deleted is not None else None,
        )
        return self.result

    def _check_open(self) -> None:
        if self.result is not None:
            raise RuntimeError(f"dataset {self.name} is already closed")


class SnapshotWriter:
    """Builds one snapshot in ``workdir`` (a directory it owns), then streams it as tar."""

    def __init__(
        self,
        workdir: str | os.PathLike[str],
        reseller_id: str,
        sequence: int,
        kind: Kind,
        agent_version: str,
        source_platform: str,
        part_rows: int = 1_000_000,
        *,
        created_at: dt.datetime | None = None,
        level: int = ZSTD_LEVEL,
        threads: int = 0,
        digest_factory: Callable[[], KeyDigest] = KeySetDigest,
        format: int = FORMAT,
        answers: Sequence[str] = (),
    ) -> None:
        if part_rows < 1:
            raise ValueError("part_rows must be at least 1")
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.part_rows = part_rows
        self.level, self.threads = level, threads
        self.digest_factory = digest_factory  # the golden files pin the older SHA-256 digest
        # validated now, not after an hour of export
        self._base = Manifest(
            format=format,  # type: ignore[arg-type]  # validated: 1 or 2
            answers=list(answers),
            reseller_id=reseller_id,
            sequence=sequence,
            kind=kind,
            agent_version=agent_version,
            source_platform=source_platform,
            created_at=created_at or dt.datetime.now(dt.timezone.utc),
        )
        self._datasets: List[DatasetWriter] = []
        self.manifest: Manifest | None = None

    def dataset(
        self,
        name: str,
        columns: Sequence[Column],
        key: Sequence[str],
        cursor_column: str | None = None,
        since: str | None = None,
        *,
        keys_part: bool | None = None,
        mode: Optional[Mode] = None,
    ) -> DatasetWriter:
        """Start a dataset. ``keys_part`` (default: on for format-1 incrementals) stores every key line.

        ``mode`` (format 2) says how the rows were chosen: ``full`` (every row),
        ``cursor`` or ``rowhash`` (changed rows, plus :meth:`DatasetWriter.add_deleted`).
        """
        if self.manifest is not None:
            raise RuntimeError("snapshot already finished")
        if not DATASET_NAME_RE.match(name):
            raise ValueError(f"dataset name {name!r} must match {DATASET_NAME_RE.pattern}")
        if any(d.name == name for d in self._datasets):
            raise ValueError(f"dataset {name!r} was already added to this snapshot")
        if mode is not None and self._base.format == 1:
            raise ValueError("a format-1 snapshot has no dataset modes")
        if keys_part is None:
            keys_part = self._base.kind == "incremental" and self._base.format == 1
        dw = DatasetWriter(self, name, columns, key, cursor_column, since, keys_part, mode)
        self._datasets.append(dw)
        return dw

    def _sink(self, name: str) -> _PartSink:
        return _PartSink(self.workdir / name, name, self.level, self.threads)

    def finish(self) -> Manifest:
        """Close every dataset, write ``manifest.json``, return the manifest."""
        if self.manifest is None:
            datasets = [d.close() for d in self._datasets]
            self.manifest = Manifest.model_validate({**dict(self._base), "datasets": datasets})
            write_atomic(self.workdir / MANIFEST_NAME, self.manifest.to_json(), mode=0o600)
        return self.manifest

    def iter_tar(self, chunk_size: int = CHUNK) -> Iterator[bytes]:
        return iter_tar(self.workdir, self.finish(), chunk_size)

    def write_tar(self, fileobj: IO[bytes]) -> None:
        for chunk in self.iter_tar():
            fileobj.write(chunk)


# --- tar stream ---------------------------------------------------------------


def _tar_header(name: str, size: int, mtime: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(format=tarfile.USTAR_FORMAT, encoding="utf-8", errors="strict")


def _pad(size: int) -> bytes:
    return b"\0" * (-size % tarfile.BLOCKSIZE)


def load_manifest(directory: str | os.PathLike[str]) -> Manifest:
    path = Path(directory) / MANIFEST_NAME
    try:
        return Manifest.from_json(path.read_bytes())
    except FileNotFoundError:
        raise SnapshotFormatError(
            f"{path} is missing", hint="finish the snapshot before sealing it"
        ) from None


def iter_tar(
    directory: str | os.PathLike[str], manifest: Manifest | None = None, chunk_size: int = CHUNK
) -> Iterator[bytes]:
    """The plaintext tar stream of a finished snapshot directory, deterministic byte for byte."""
    root = Path(directory)
    manifest = manifest or load_manifest(root)
    mtime = int(manifest.created_at.timestamp())
    body = manifest.to_json()
    yield _tar_header(MANIFEST_NAME, len(body), mtime) + body + _pad(len(body))
    for part in manifest.members():
        path = root / part.name
        size = path.stat().st_size
        yield _tar_header(part.name, size, mtime)
        left = size
        with open(path, "rb") as f:
            while left:
                block = f.read(min(chunk_size, left))
                if not block:
                    raise SnapshotFormatError(
                        f"{path} shrank while being read",
                        hint="do not modify a snapshot while sealing it",
                    )
                left -= len(block)
                yield block
        yield _pad(size)
    yield b"\0" * (2 * tarfile.BLOCKSIZE)
