"""Reading snapshots: verify a plaintext tar stream into a directory, then stream its rows.

Every part is checked against the manifest (SHA-256, bytes, rows) while it is
copied, so nothing unverified is ever read back; names that could escape the
directory are refused. The write side is :mod:`shared.snapshot`.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from pathlib import Path
from typing import IO, Any, BinaryIO, Iterator, List, Protocol, Tuple, cast

import zstandard

from shared.copytext import parse_line
from shared.errors import SnapshotFormatError, SnapshotIntegrityError
from shared.manifest import DatasetManifest, Manifest, PartInfo
from shared.snapshot import CHUNK, MANIFEST_NAME, MAX_MANIFEST_BYTES, load_manifest
from shared.types import decode_value


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
    return (
        not name.startswith("/")
        and "\\" not in name
        and all(p not in ("", ".", "..") for p in parts)
    )


class SnapshotReader:
    """Verifies a plaintext tar stream into a directory, then reads rows from it."""

    def __init__(self, fileobj: BinaryIO | None = None) -> None:
        self._fileobj = fileobj
        self.directory: Path | None = None
        self.manifest: Manifest | None = None

    @classmethod
    def from_directory(
        cls, directory: str | os.PathLike[str], *, verify: bool = False
    ) -> SnapshotReader:
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
            raise SnapshotFormatError(
                f"not a tar stream: {e}", hint="quarantine the file"
            ) from None
        with tf:
            manifest = self._read_manifest(tf)
            expected = {p.name: (ds.name, p) for ds in manifest.datasets for p in ds.members()}
            seen: set[str] = set()
            while True:
                member = self._next(tf)
                if member is None:
                    break
                name = member.name
                if not _safe_name(name):
                    raise SnapshotFormatError(
                        f"tar member {name!r} has an unsafe path",
                        hint="quarantine the file",
                        member=name,
                    )
                if name not in expected or name in seen:
                    what = "repeats" if name in seen else "is not listed in the manifest"
                    raise SnapshotFormatError(
                        f"tar member {name!r} {what}", hint="quarantine the file", member=name
                    )
                if not member.isreg():
                    raise SnapshotFormatError(
                        f"tar member {name!r} is not a regular file", member=name
                    )
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
                    hint="the snapshot is incomplete; ask the agent to send it again",
                    dataset=ds_name,
                    part=part.name,
                )
        (dest / MANIFEST_NAME).write_bytes(manifest.to_json())
        self.directory, self.manifest = dest, manifest
        return manifest

    @staticmethod
    def _next(tf: tarfile.TarFile) -> tarfile.TarInfo | None:
        try:
            return tf.next()
        except tarfile.TarError as e:
            raise SnapshotFormatError(
                f"damaged tar stream: {e}", hint="quarantine the file"
            ) from None

    def _read_manifest(self, tf: tarfile.TarFile) -> Manifest:
        first = self._next(tf)
        if first is None or first.name != MANIFEST_NAME or not first.isreg():
            got = "nothing" if first is None else repr(first.name)
            raise SnapshotFormatError(
                f"the first tar member must be {MANIFEST_NAME}, got {got}",
                hint="quarantine the file",
            )
        if first.size > MAX_MANIFEST_BYTES:
            raise SnapshotFormatError(
                f"{MANIFEST_NAME} is {first.size} bytes, more than the {MAX_MANIFEST_BYTES} allowed"
            )
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

    def iter_rows(self, dataset: str) -> Iterator[tuple[Any, ...]]:
        """Rows as Python values (decoded via :mod:`shared.types`)."""
        _, ds = self._ready(dataset)
        types = [c.type for c in ds.columns]
        for n, line in enumerate(self.iter_lines(dataset), 1):
            fields = parse_line(line.decode("utf-8"))
            if len(fields) != len(types):
                raise SnapshotFormatError(
                    f"dataset {dataset}: row {n} has {len(fields)} fields, the manifest lists {len(types)} columns",
                    dataset=dataset,
                    row=n,
                )
            try:
                yield tuple(decode_value(t, f) for t, f in zip(types, fields))
            except ValueError as e:
                raise SnapshotFormatError(
                    f"dataset {dataset}: row {n}: {e}", dataset=dataset, row=n
                ) from None

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

    def iter_deleted(self, dataset: str) -> Iterator[bytes]:
        """Key lines (with newline) of rows the agent saw deleted since its previous snapshot (format 2)."""
        root, ds = self._ready(dataset)
        if ds.deleted is not None:
            for chunk in _iter_part_chunks(root / ds.deleted.name):
                yield from _lines_of(chunk)


def _lines_of(chunk: bytes) -> List[bytes]:
    # not bytes.splitlines(): that also splits on a raw \r, which is data here
    return [line + b"\n" for line in chunk.split(b"\n")[:-1]]


def _iter_part_chunks(path: Path) -> Iterator[bytes]:
    tail = b""
    with (
        open(path, "rb") as f,
        zstandard.ZstdDecompressor().stream_reader(f, read_size=CHUNK) as zr,
    ):
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
        with zstandard.ZstdDecompressor().stream_reader(
            cast(IO[bytes], src), read_size=CHUNK, closefd=False
        ) as zr:
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
            hint="the snapshot is damaged; ask the agent to send it again",
            dataset=dataset,
            part=part.name,
        ) from None
    for what, got, want in (
        ("uncompressed size", size, part.bytes),
        ("row count", rows, part.rows),
        ("sha256", sha.hexdigest(), part.sha256),
    ):
        if got != want:
            raise SnapshotIntegrityError(
                f"dataset {dataset}: part {part.name}: {what} is {got}, the manifest says {want}",
                hint="the snapshot does not match its manifest; quarantine it and ask the agent to re-export",
                dataset=dataset,
                part=part.name,
                check=what,
            )
    if last != b"\n":
        raise SnapshotFormatError(
            f"dataset {dataset}: part {part.name}: the last line has no newline", dataset=dataset
        )
