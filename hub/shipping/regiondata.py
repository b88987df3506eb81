"""Streaming readers for the region source files (no MySQL needed).

The Kemendagri and postal-code files are MySQL dumps whose rows are lines
``('11.01.01.2001','Keude Bakongan'),``; the BPS files are CSV without a
header. Each reader yields tuples one at a time, reading plain or ``.gz``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from pathlib import Path
from typing import IO, Iterator

from shared.errors import ConfigError, DataError

DEFAULT_DIR = Path(__file__).resolve().parent / "data"

KEMENDAGRI = "wilayah_kemendagri/wilayah.sql"
KODEPOS = "wilayah_kodepos/wilayah_kodepos.sql"
BPS = {
    level: f"wilayah_bps/{name}.csv"
    for level, name in ((1, "provinces"), (2, "regencies"), (3, "districts"), (4, "villages"))
}

_ROW = re.compile(r"^\('([0-9.]+)',\s*'((?:[^']|'')*)'\)[,;]?\s*$")


def locate(root: Path, name: str) -> Path:
    """``name`` or ``name.gz`` under ``root``; a clear error if neither exists."""
    for candidate in (root / name, root / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        [(str(root / name), "not found (plain or .gz)")],
        hint="pass --from a folder laid out like hub/shipping/data "
        "(wilayah_kemendagri/, wilayah_kodepos/, wilayah_bps/)",
    )


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_sql_pairs(path: Path) -> Iterator[tuple[str, str]]:
    """(code, value) from every ``('a','b')`` row line of a cahyadsn dump."""
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.startswith("('"):
                continue
            m = _ROW.match(line.rstrip("\r\n"))
            if m is None:
                raise DataError(
                    "{name} line {line}: unreadable row {row}",
                    name=path.name,
                    row=repr(line[:80]),
                    hint="the file must be the cahyadsn MySQL dump, unmodified",
                    file=str(path),
                    line=lineno,
                )
            yield m.group(1), m.group(2).replace("''", "'")


def read_bps(path: Path) -> Iterator[tuple[str, str | None, str]]:
    """(code, parent code or None, name) from a BPS CSV (provinces have no parent column)."""
    with _open_text(path) as fh:
        for row in csv.reader(fh):
            if not row:
                continue
            if len(row) == 2:
                yield row[0], None, row[1]
            else:
                yield row[0], row[1], row[2]


def level_of(kode: str) -> int:
    """1 province … 4 village, from the number of dotted parts."""
    return kode.count(".") + 1


def parent_of(kode: str) -> str | None:
    return kode.rsplit(".", 1)[0] if "." in kode else None


_PREFIXES = ("KABUPATEN ", "KAB ", "KOTA ADMINISTRASI ", "KOTA ADM ", "KOTA ")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


def normalize(name: str) -> str:
    """Upper-case ASCII letters and digits, single spaces: 'Ba''u' and "BA'U" meet."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub(" ", ascii_.upper().replace("'", "")).strip()


def match_key(name: str, level: int) -> str:
    """The key names are matched on: normalized, minus generic words that differ by source."""
    key = normalize(name)
    if level == 2:
        kind = "KOTA " if key.startswith("KOTA") else ""
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
                break
        key = kind + key
    if level == 1:
        key = key.replace("DAERAH ISTIMEWA ", "DI ").replace("DAERAH KHUSUS IBUKOTA ", "DKI ")
        key = key.replace("KEPULAUAN ", "KEP ")
    return key.replace(" ", "")
