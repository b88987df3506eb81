from __future__ import annotations

import datetime as dt
import io
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.copytext import format_line
from shared.errors import SnapshotFormatError, SnapshotIntegrityError
from shared.keyset import KeySetDigest
from shared.snapshot import SnapshotWriter
from shared.snapshot_reader import SnapshotReader
from shared.types import Column, encode_value
from shared.types import PortableType as T
from tests.shared.test_types_roundtrip import VALUES, same

UTC = dt.timezone.utc
COLS = [Column("id", T.INTEGER, nullable=False), Column("name", T.TEXT)]


def writer(root: Path, part_rows: int = 3, kind: str = "full") -> SnapshotWriter:
    return SnapshotWriter(
        root / "w",
        "acme",
        1,
        kind,
        "0.1",
        "sqlite",
        part_rows=part_rows,  # type: ignore[arg-type]
        created_at=dt.datetime(2024, 5, 1, 12, tzinfo=UTC),
    )


def lines(n: int) -> list[bytes]:
    return [format_line([str(i), f"name\t{i} 😀"]).encode() for i in range(n)]


def read_back(w: SnapshotWriter, dest: Path) -> SnapshotReader:
    buf = io.BytesIO()
    w.write_tar(buf)
    buf.seek(0)
    r = SnapshotReader(buf)
    assert r.extract(dest) == w.finish()
    return r


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 30), st.integers(1, 7), st.lists(st.integers(1, 40), min_size=1, max_size=10))
def test_multi_part_round_trip(n: int, part_rows: int, cuts: list[int]) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        w = writer(root, part_rows, kind="incremental")
        ds = w.dataset("products", COLS, ["id"], cursor_column="id", since="0")
        blob = b"".join(lines(n))
        pos, i = 0, 0
        completed = 0
        while pos < len(blob):  # arbitrary chunk boundaries, mid-line included
            step = cuts[i % len(cuts)]
            completed += ds.write(blob[pos : pos + step])
            pos, i = pos + step, i + 1
            assert completed == blob.count(
                b"\n", 0, pos
            )  # write() says how many lines it completed
        ds.add_keys(b"".join(f"{k}\n".encode() for k in range(n)))
        ds.set_cursor_range("0" if n else None, str(n - 1) if n else None)
        m = w.finish().dataset("products")
        assert m.rows == n and len(m.parts) == -(-n // part_rows)
        assert all(p.rows == part_rows for p in m.parts[:-1])
        r = read_back(w, root / "r")
        assert list(r.iter_lines("products")) == lines(n)
        assert b"".join(r.iter_chunks("products")) == blob
        assert [row[0] for row in r.iter_rows("products")] == list(range(n))
        digest = KeySetDigest()
        for k in r.iter_keys("products"):
            digest.add(k)
        assert m.keyset is not None and (digest.count, digest.hexdigest()) == (
            m.keyset.count,
            m.keyset.digest,
        )


@st.composite
def typed_rows(draw: st.DrawFn) -> tuple[list[Column], list[list[Any]]]:
    types = draw(st.lists(st.sampled_from(list(T)), min_size=1, max_size=6))
    cols = [Column(f"c{i}", t) for i, t in enumerate(types)]
    rows = draw(st.lists(st.tuples(*[st.none() | VALUES[t] for t in types]).map(list), max_size=8))
    return cols, rows


@settings(max_examples=30, deadline=None)
@given(typed_rows())
def test_typed_values_survive_the_snapshot(data: tuple[list[Column], list[list[Any]]]) -> None:
    cols, rows = data
    with tempfile.TemporaryDirectory() as d:
        w = writer(Path(d), part_rows=2)
        ds = w.dataset("t", cols, [cols[0].name])
        ds.write(
            b"".join(
                format_line([encode_value(c.type, v) for c, v in zip(cols, r)]).encode()
                for r in rows
            )
        )
        back = list(read_back(w, Path(d) / "r").iter_rows("t"))
    assert len(back) == len(rows)
    for r, b in zip(rows, back):
        for c, v, x in zip(cols, r, b):
            assert (v is None and x is None) or same(c.type, v, x), (c, v, x)


def test_tar_is_deterministic_and_manifest_first(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.dataset("a", COLS, ["id"]).write(b"".join(lines(7)))
    w.dataset("b", COLS, ["id"])
    first = b"".join(w.iter_tar())
    assert first == b"".join(w.iter_tar())
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:") as tf:
        names = tf.getnames()
    assert names == ["manifest.json", "data/a/1.tsv.zst", "data/a/2.tsv.zst", "data/a/3.tsv.zst"]
    assert w.finish().dataset("b").rows == 0


def test_unfinished_last_line_is_refused(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.dataset("a", COLS, ["id"]).write(b"1\tx\n2\ty")
    with pytest.raises(SnapshotFormatError, match="no newline"):
        w.finish()


def test_warnings_and_cursor_are_recorded(tmp_path: Path) -> None:
    w = writer(tmp_path)
    ds = w.dataset("a", COLS, ["id"], cursor_column="id")
    ds.warn({"name: invalid date": 2})
    ds.warn({"name: invalid date": 1})
    ds.set_cursor_range("1", "9")
    m = w.finish().dataset("a")
    assert m.warnings == {"name: invalid date": 3} and (m.cursor_min, m.cursor_max) == ("1", "9")
    assert m.keyset is None


# --- hostile tar streams --------------------------------------------------------


def _members(w: SnapshotWriter) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(b"".join(w.iter_tar())), mode="r:") as tf:
        return {m.name: tf.extractfile(m).read() for m in tf.getmembers()}  # type: ignore[union-attr]


def _unzstd(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


def _tar(members: list[tuple[str, bytes]]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


@pytest.fixture
def good(tmp_path: Path) -> dict[str, bytes]:
    w = writer(tmp_path)
    w.dataset("a", COLS, ["id"]).write(b"".join(lines(5)))
    return _members(w)


@pytest.mark.parametrize(
    "mutate, error, fragment",
    [
        (lambda m: list(reversed(m)), SnapshotFormatError, "first tar member"),
        (lambda m: m + [("data/a/9.tsv.zst", b"x")], SnapshotFormatError, "not listed"),
        (lambda m: m + [("../evil", b"x")], SnapshotFormatError, "unsafe"),
        (lambda m: m + [m[1]], SnapshotFormatError, "repeats"),
        (lambda m: m[:2], SnapshotIntegrityError, "missing"),
        (
            lambda m: (
                [m[0], (m[1][0], zstandard.compress(_unzstd(m[1][1]).replace(b"name", b"nbme")))]
                + m[2:]
            ),
            SnapshotIntegrityError,
            "data/a/1.tsv.zst: sha256",
        ),
        (
            lambda m: [m[0], (m[1][0], zstandard.compress(b"0\tx\n"))] + m[2:],
            SnapshotIntegrityError,
            "uncompressed size",
        ),
        (
            lambda m: [m[0], (m[1][0], b"not zstd")] + m[2:],
            SnapshotIntegrityError,
            "not valid zstd",
        ),
        (
            lambda m: [("manifest.json", b"{}")] + m[1:],
            SnapshotFormatError,
            "manifest.json is invalid",
        ),
    ],
)
def test_hostile_streams(
    good: dict[str, bytes], tmp_path: Path, mutate: Any, error: type, fragment: str
) -> None:
    stream = _tar(mutate(list(good.items())))
    with pytest.raises(error, match=fragment):
        SnapshotReader(stream).extract(tmp_path / "out")
    assert not (tmp_path / "evil").exists()


def test_not_a_tar(tmp_path: Path) -> None:
    with pytest.raises(SnapshotFormatError):
        SnapshotReader(io.BytesIO(b"garbage" * 100)).extract(tmp_path)


def test_from_directory_verify(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.dataset("a", COLS, ["id"]).write(b"".join(lines(5)))
    w.finish()
    assert len(list(SnapshotReader.from_directory(w.workdir, verify=True).iter_rows("a"))) == 5
    (w.workdir / "data/a/1.tsv.zst").write_bytes(zstandard.compress(b"0\tx\n1\ty\n2\tz\n"))
    with pytest.raises(SnapshotIntegrityError, match="dataset a: part data/a/1.tsv.zst"):
        SnapshotReader.from_directory(w.workdir, verify=True)


def test_count_only_key_set_has_no_keys_part(tmp_path: Path) -> None:
    w = writer(tmp_path, kind="incremental")
    ds = w.dataset("products", COLS, ["id"], cursor_column="id", since="0")
    ds.write(b"".join(lines(2)))
    ds.set_key_count(5)  # the agent proved against its key ledger that no key was deleted
    m = w.finish().dataset("products")
    assert m.keyset is not None and (m.keyset.count, m.keyset.digest, m.keyset.part) == (
        5,
        None,
        None,
    )
    assert [p.name for p in w.finish().members()] == [
        p.name for p in m.parts
    ]  # no keys part travels
    on_disk = sorted(
        str(p.relative_to(tmp_path / "w")) for p in (tmp_path / "w").rglob("*") if p.is_file()
    )
    assert on_disk == sorted(["manifest.json", *(p.name for p in m.parts)])
    r = read_back(w, tmp_path / "r")
    assert list(r.iter_lines("products")) == lines(2)

    other = writer(tmp_path / "b", kind="incremental").dataset("products", COLS, ["id"])
    other.add_keys(b"1\n")
    with pytest.raises(RuntimeError, match="already added"):
        other.set_key_count(1)
