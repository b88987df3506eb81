"""Writing and reading snapshots (plaintext, before sealing / after opening).

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
from typing import IO, BinaryIO, Dict, Iterator, List, Protocol, Sequence, Tuple, cast

import zstandard

from shared.copytext import parse_line
from shared.errors import SnapshotFormatError, SnapshotIntegrityError
from shared.keyset import KeySetDigest
from shared.manifest import (
    DATASET_NAME_RE,
    DatasetManifest,
    KeySet,
    Kind,
    Manifest,
    PartInfo,
    keys_part_name,
    part_name,
)
from shared.types import Column, decode_value

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
        self._zw = zstandard.ZstdCompressor(level=level, threads=threads).stream_writer(self._file, closefd=False)
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
        self._zw.close()
        self._file.close()
        return PartInfo(name=self.name, rows=self.rows, bytes=self.bytes, sha256=self._sha.hexdigest())


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
    ) -> None:
        self._snap = snapshot
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
        self._digest: KeySetDigest | None = KeySetDigest() if keys_part else None
        self._keys_sink: _PartSink | None = self._snap._sink(keys_part_name(name)) if keys_part else None
        self.result: DatasetManifest | None = None

    def write(self, chunk: bytes) -> None:
        """Append COPY lines; a chunk may end mid-line (the rest is kept for the next call)."""
        self._check_open()
        data = self._lines.feed(chunk)
        limit = self._snap.part_rows
        while data:
            if self._part is None:
                self._part = self._snap._sink(part_name(self.name, len(self._parts) + 1))
            room = limit - self._part.rows
            n = data.count(b"\n")
            if n < room:
                self._part.write(data, n)
                return
            cut = _nth_newline(data, room) + 1
            self._part.write(data[:cut], room)
            self._parts.append(self._part.close())
            self._part = None
            data = data[cut:]

    def add_keys(self, chunk: bytes) -> None:
        """Add key lines (key columns as COPY lines) to the keyset digest and the keys part if any."""
        self._check_open()
        data = self._key_lines.feed(chunk)
        if self._digest is None:
            self._digest = KeySetDigest()
        self._digest.add_lines(data)
        if self._keys_sink is not None and data:
            self._keys_sink.write(data, data.count(b"\n"))

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
        if self._part is not None:
            self._parts.append(self._part.close())
            self._part = None
        keyset = None
        if self._digest is not None:
            kp = self._keys_sink.close() if self._keys_sink is not None else None
            keyset = KeySet(count=self._digest.count, digest=self._digest.hexdigest(), part=kp)
        self.result = DatasetManifest(
            name=self.name, columns=self.columns, key=self.key, cursor_column=self.cursor_column,
            cursor_min=self.cursor_min, cursor_max=self.cursor_max, since=self.since,
            rows=sum(p.rows for p in self._parts), parts=self._parts, keyset=keyset, warnings=self.warnings,
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
    ) -> None:
        if part_rows < 1:
            raise ValueError("part_rows must be at least 1")
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.part_rows = part_rows
        self.level, self.threads = level, threads
        # validated now, not after an hour of export
        self._base = Manifest(
            reseller_id=reseller_id, sequence=sequence, kind=kind, agent_version=agent_version,
            source_platform=source_platform, created_at=created_at or dt.datetime.now(dt.timezone.utc),
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
    ) -> DatasetWriter:
        """Start a dataset. ``keys_part`` (default: on for incrementals) stores every key line."""
        if self.manifest is not None:
            raise RuntimeError("snapshot already finished")
        if not DATASET_NAME_RE.match(name):
            raise ValueError(f"dataset name {name!r} must match {DATASET_NAME_RE.pattern}")
        if any(d.name == name for d in self._datasets):
            raise ValueError(f"dataset {name!r} was already added to this snapshot")
        if keys_part is None:
            keys_part = self._base.kind == "incremental"
        dw = DatasetWriter(self, name, columns, key, cursor_column, since, keys_part)
        self._datasets.append(dw)
        return dw

    def _sink(self, name: str) -> _PartSink:
        return _PartSink(self.workdir / name, name, self.level, self.threads)

    def finish(self) -> Manifest:
        """Close every dataset, write ``manifest.json``, return the manifest."""
        if self.manifest is None:
            datasets = [d.close() for d in self._datasets]
            self.manifest = Manifest.model_validate({**dict(self._base), "datasets": datasets})
            tmp = self.workdir / (MANIFEST_NAME + ".tmp")
            tmp.write_bytes(self.manifest.to_json())
            os.replace(tmp, self.workdir / MANIFEST_NAME)
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
        raise SnapshotFormatError(f"{path} is missing", hint="finish the snapshot before sealing it") from None


def iter_tar(directory: str | os.PathLike[str], manifest: Manifest | None = None, chunk_size: int = CHUNK) -> Iterator[bytes]:
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
                    raise SnapshotFormatError(f"{path} shrank while being read", hint="do not modify a snapshot while sealing it")
                left -= len(block)
                yield block
        yield _pad(size)
    yield b"\0" * (2 * tarfile.BLOCKSIZE)


# --- reading ------------------------------------------------------------------


class _Readable(Protocol):
    def read(self, n: int = -1) -> bytes: ...


class _Tee:
    """A readable that copies everything read into ``sink`` (compressed part -> disk)."""

    def __init__(self, src: IO[bytes], sink: IO[bytes]) -> None:
        self.src, self.sink = src, sink

    def read(self, n: int = -1) -> bytes:
        data = self.src.read(n)
        self.sink.write(data)
        return data


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return not name.startswith("/") and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


class SnapshotReader:
    """Verifies a plaintext tar stream into a directory, then reads rows from it."""

    def __init__(self, fileobj: BinaryIO | None = None) -> None:
        self._fileobj = fileobj
        self.directory: Path | None = None
        self.manifest: Manifest | None = None

    @classmethod
    def from_directory(cls, directory: str | os.PathLike[str], *, verify: bool = False) -> SnapshotReader:
        """A reader over an already extracted snapshot (``verify`` re-checks every part)."""
        r = cls()
        r.directory, r.manifest = Path(directory), load_manifest(directory)
        if verify:
            for ds in r.manifest.datasets:
                for part in ds.members():
                    with open(r.directory / part.name, "rb") as f:
                        _check_part(f, ds.name, part)
        return r

    def extract(self, dest_dir: str | os.PathLike[str]) -> Manifest:
        """Copy every member to ``dest_dir`` checking sha256, size and rows against the manifest."""
        if self._fileobj is None:
            raise RuntimeError("this reader has no stream to extract")
        dest = Path(dest_dir)
        dest.mkdir(parents=True, exist_ok=True)
        try:
            tf = tarfile.open(fileobj=self._fileobj, mode="r|")  # noqa: SIM115 -- "with tf" below
        except tarfile.TarError as e:
            raise SnapshotFormatError(f"not a tar stream: {e}", hint="quarantine the file") from None
        with tf:
            manifest = self._read_manifest(tf)
            expected = {p.name: (ds.name, p) for ds in manifest.datasets for p in ds.members()}
            seen: set = set()
            while True:
                member = self._next(tf)
                if member is None:
                    break
                name = member.name
                if not _safe_name(name):
                    raise SnapshotFormatError(f"tar member {name!r} has an unsafe path", hint="quarantine the file", member=name)
                if name not in expected or name in seen:
                    what = "repeats" if name in seen else "is not listed in the manifest"
                    raise SnapshotFormatError(f"tar member {name!r} {what}", hint="quarantine the file", member=name)
                if not member.isreg():
                    raise SnapshotFormatError(f"tar member {name!r} is not a regular file", member=name)
                seen.add(name)
                ds_name, part = expected[name]
                target = dest / name
                target.parent.mkdir(parents=True, exist_ok=True)
                src = tf.extractfile(member)
                assert src is not None
                with open(target, "wb") as out:
                    tee = _Tee(src, out)
                    _check_part(tee, ds_name, part)
                    while tee.read(CHUNK):
                        pass
            missing = [n for n in expected if n not in seen]
            if missing:
                ds_name, part = expected[missing[0]]
                raise SnapshotIntegrityError(
                    f"dataset {ds_name}: part {part.name} is listed in the manifest but missing from the stream"
                    + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
                    hint="the snapshot is incomplete; ask the agent to send it again", dataset=ds_name, part=part.name,
                )
        (dest / MANIFEST_NAME).write_bytes(manifest.to_json())
        self.directory, self.manifest = dest, manifest
        return manifest

    @staticmethod
    def _next(tf: tarfile.TarFile) -> tarfile.TarInfo | None:
        try:
            return tf.next()
        except tarfile.TarError as e:
            raise SnapshotFormatError(f"damaged tar stream: {e}", hint="quarantine the file") from None

    def _read_manifest(self, tf: tarfile.TarFile) -> Manifest:
        first = self._next(tf)
        if first is None or first.name != MANIFEST_NAME or not first.isreg():
            got = "nothing" if first is None else repr(first.name)
            raise SnapshotFormatError(f"the first tar member must be {MANIFEST_NAME}, got {got}", hint="quarantine the file")
        if first.size > MAX_MANIFEST_BYTES:
            raise SnapshotFormatError(f"{MANIFEST_NAME} is {first.size} bytes, more than the {MAX_MANIFEST_BYTES} allowed")
        f = tf.extractfile(first)
        assert f is not None
        return Manifest.from_json(f.read())

    # -- reading rows --------------------------------------------------------

    def _ready(self, dataset: str) -> Tuple[Path, DatasetManifest]:
        if self.directory is None or self.manifest is None:
            raise RuntimeError("call extract() first")
        return self.directory, self.manifest.dataset(dataset)

    def iter_chunks(self, dataset: str) -> Iterator[bytes]:
        """Decompressed bytes of the data parts in chunks of whole lines (for COPY FROM STDIN)."""
        root, ds = self._ready(dataset)
        for part in ds.parts:
            yield from _iter_part_chunks(root / part.name)

    def iter_lines(self, dataset: str) -> Iterator[bytes]:
        """Raw COPY lines of ``dataset``, each with its trailing newline."""
        for chunk in self.iter_chunks(dataset):
            yield from _lines_of(chunk)

    def iter_rows(self, dataset: str) -> Iterator[tuple]:
        """Rows as Python values (decoded via :mod:`shared.types`)."""
        _, ds = self._ready(dataset)
        types = [c.type for c in ds.columns]
        for n, line in enumerate(self.iter_lines(dataset), 1):
            fields = parse_line(line.decode("utf-8"))
            if len(fields) != len(types):
                raise SnapshotFormatError(
                    f"dataset {dataset}: row {n} has {len(fields)} fields, the manifest lists {len(types)} columns",
                    dataset=dataset, row=n,
                )
            try:
                yield tuple(decode_value(t, f) for t, f in zip(types, fields))
            except ValueError as e:
                raise SnapshotFormatError(f"dataset {dataset}: row {n}: {e}", dataset=dataset, row=n) from None

    def iter_keys(self, dataset: str) -> Iterator[bytes]:
        """Key lines (with newline): from the keys part if present, else projected from the data."""
        root, ds = self._ready(dataset)
        if ds.keyset is not None and ds.keyset.part is not None:
            for chunk in _iter_part_chunks(root / ds.keyset.part.name):
                yield from _lines_of(chunk)
            return
        names = [c.name for c in ds.columns]
        idx = [names.index(k) for k in ds.key]
        for line in self.iter_lines(dataset):
            fields = line[:-1].split(b"\t")
            yield b"\t".join(fields[i] for i in idx) + b"\n"


def _lines_of(chunk: bytes) -> List[bytes]:
    # not bytes.splitlines(): that also splits on a raw \r, which is data here
    return [line + b"\n" for line in chunk.split(b"\n")[:-1]]


def _iter_part_chunks(path: Path) -> Iterator[bytes]:
    tail = b""
    with open(path, "rb") as f, zstandard.ZstdDecompressor().stream_reader(f, read_size=CHUNK) as zr:
        while True:
            block = zr.read(CHUNK)
            if not block:
                break
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                tail += block
                continue
            yield tail + block[:cut]
            tail = block[cut:]
    if tail:
        raise SnapshotFormatError(f"{path}: the last line has no newline")


def _check_part(src: _Readable, dataset: str, part: PartInfo) -> None:
    """Decompress ``src`` and compare its sha256, size and rows with ``part``."""
    sha, size, rows, last = hashlib.sha256(), 0, 0, b"\n"
    try:
        with zstandard.ZstdDecompressor().stream_reader(cast(IO[bytes], src), read_size=CHUNK, closefd=False) as zr:
            while True:
                block = zr.read(CHUNK)
                if not block:
                    break
                sha.update(block)
                size += len(block)
                rows += block.count(b"\n")
                last = block[-1:]
    except zstandard.ZstdError as e:
        raise SnapshotIntegrityError(
            f"dataset {dataset}: part {part.name} is not valid zstd data ({e})",
            hint="the snapshot is damaged; ask the agent to send it again", dataset=dataset, part=part.name,
        ) from None
    for what, got, want in (("uncompressed size", size, part.bytes), ("row count", rows, part.rows),
                            ("sha256", sha.hexdigest(), part.sha256)):
        if got != want:
            raise SnapshotIntegrityError(
                f"dataset {dataset}: part {part.name}: {what} is {got}, the manifest says {want}",
                hint="the snapshot does not match its manifest; quarantine it and ask the agent to re-export",
                dataset=dataset, part=part.name, check=what,
            )
    if last != b"\n":
        raise SnapshotFormatError(f"dataset {dataset}: part {part.name}: the last line has no newline", dataset=dataset)
