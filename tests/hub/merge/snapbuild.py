"""Build real snapshots (unsealed) for merge tests with shared.snapshot.SnapshotWriter."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any, Sequence

from shared import keyset
from shared.copytext import format_line
from shared.manifest import Manifest
from shared.snapshot import SnapshotWriter
from shared.snapshot_reader import SnapshotReader
from shared.types import Column, PortableType, encode_value

_counter = itertools.count(1)


def cols(*spec: str) -> list[Column]:
    """``cols("id:integer", "name:text", "price:decimal")``; a trailing ``!`` means NOT NULL."""
    out = []
    for s in spec:
        name, typ = s.split(":")
        out.append(Column(name, PortableType(typ.rstrip("!")), nullable=not typ.endswith("!")))
    return out


def lines(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> bytes:
    return "".join(
        format_line([encode_value(c.type, v) for c, v in zip(columns, r)]) for r in rows
    ).encode()


def build(
    workdir: Path,
    datasets: dict[str, tuple[list[Column], list[str], list[Sequence[Any]]]],
    *,
    kind: str = "full",
    created_at: dt.datetime,
    reseller_id: str = "r1",
    sequence: int | None = None,
    keys: dict[str, list[Sequence[Any]]] | None = None,
    part_rows: int = 1_000_000,
    format: int = 1,
    mode: str | None = None,
    deleted: dict[str, list[Sequence[Any]]] | None = None,
    key_list: bool = False,
    digest: str = keyset.DEFAULT,
) -> tuple[Manifest, SnapshotReader]:
    """A finished snapshot directory and a reader over it. ``keys``: every key at the source (incrementals).

    Format 2 (``format=2``, ``mode`` for every dataset): ``keys`` gives the key-set digest only
    (the whole list too with ``key_list``), ``deleted`` the keys deleted since the previous snapshot.
    ``digest``: the key-set digest's hash (an older agent's: ``keyset.SHA256``).
    """
    seq = sequence or next(_counter)
    d = workdir / f"snap-{reseller_id}-{seq}-{next(_counter)}"
    w = SnapshotWriter(
        d,
        reseller_id,
        seq,
        kind,  # type: ignore[arg-type]
        "test",
        "sqlite",
        part_rows,
        created_at=created_at,
        format=format,
        digest_factory=lambda: keyset.KeySetDigest(digest),
    )
    for name, (columns, key, rows) in datasets.items():
        listed = keys is not None and name in keys and (format == 1 or key_list)
        dw = w.dataset(name, columns, key, keys_part=listed, mode=mode)  # type: ignore[arg-type]
        dw.write(lines(columns, rows))
        key_cols = [next(c for c in columns if c.name == k) for k in key]
        if keys is not None and name in keys:
            dw.add_keys(lines(key_cols, keys[name]))
        else:
            idx = [[c.name for c in columns].index(k) for k in key]
            dw.add_keys(lines(key_cols, [[r[i] for i in idx] for r in rows]))
        if deleted and deleted.get(name):
            dw.add_deleted(lines(key_cols, deleted[name]))
    manifest = w.finish()
    return manifest, SnapshotReader.from_directory(d)
