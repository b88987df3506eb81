"""Row-level work the agent does on COPY lines: privacy hashing and cursor arithmetic.

Dropping and allow-listing columns is done by *not selecting* them, so the
common path never parses a line. Only datasets with ``hash_columns`` (and the
small incremental reads, which must look at the cursor) split lines here; key
lines are cut out of data lines (:func:`key_projector`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from shared.copytext import unescape
from shared.errors import ConfigError
from shared.types import PortableType, decode_value, encode_value

NULL = b"\\N"
SALT_FILE = "hash-salt"


def load_salt(state_dir: Path) -> bytes:
    """The per-reseller salt for column hashing (created once, 0600, kept with the state)."""
    path = state_dir / SALT_FILE
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(os.urandom(32).hex())
    return bytes.fromhex(path.read_text().strip())


def hash_field(salt: bytes, field: bytes) -> bytes:
    """Salted SHA-256 (hex) of a field's *value* (unescaped), so escaping never changes the hash."""
    if field == NULL:
        return field
    value = unescape(field.decode("utf-8")).encode("utf-8")
    return hashlib.sha256(salt + value).hexdigest().encode("ascii")


class LineHasher:
    """Replaces the fields at ``indexes`` of every line with their salted hash."""

    def __init__(self, salt: bytes, indexes: Sequence[int]) -> None:
        self.salt = salt
        self.indexes = list(indexes)
        self._rest = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._rest + chunk
        end = data.rfind(b"\n") + 1
        self._rest = data[end:]
        out = []
        for line in data[:end].split(b"\n")[:-1]:
            fields = line.split(b"\t")
            for i in self.indexes:
                fields[i] = hash_field(self.salt, fields[i])
            out.append(b"\t".join(fields))
        return b"\n".join(out) + b"\n" if out else b""


_AFTER_FIRST_FIELD = re.compile(rb"\t[^\n]*")


def key_projector(names: Sequence[str], key: Sequence[str]) -> Optional[Callable[[bytes], bytes]]:
    """A function: chunk of data lines -> the same rows' key lines (None: a key column is not read).

    Fields are canonical, so a key line cut out of a data line has exactly the
    bytes a separate read of the key columns would give; a full export gets its
    key set without reading the table twice. No shape takes a Python step per
    row (:func:`_fields_of_every_line`). A line split across chunks is kept
    until its end arrives.
    """
    if not all(k in names for k in key):
        return None
    idx = [list(names).index(k) for k in key]
    project: Callable[[bytes], bytes]
    if idx == list(range(len(names))):
        project = bytes
    elif idx == [0] and len(names) > 2:  # one regex pass beats splitting every field of a wide row
        project = partial(_AFTER_FIRST_FIELD.sub, b"")
    else:
        project = partial(_fields_of_every_line, len(names), idx)

    rest = b""

    def feed(chunk: bytes) -> bytes:
        nonlocal rest
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n") + 1
        rest = data[cut:]
        return project(data[:cut] if cut < len(data) else data) if cut else b""

    return feed


def _fields_of_every_line(width: int, idx: list[int], whole: bytes) -> bytes:
    """The fields ``idx`` of every line of ``whole`` (lines of ``width`` fields), as key lines.

    Every field of the chunk in one list (newlines made tabs, one split), then
    each key column is a slice with step ``width``: all in C. Per line in Python
    this cost 0.55 s per 1M lines for a key after the first column, and the
    regex above 0.14 s for two-field lines (key and cursor) where this takes
    0.08 s.
    """
    fields = whole.replace(b"\n", b"\t").split(b"\t")
    lines, odd = divmod(len(fields) - 1, width)
    if odd or fields[-1]:
        raise ValueError(f"data lines of {width} fields expected, got {len(fields) - 1} in all")
    if not lines:
        return b""
    columns = [fields[i:-1:width] for i in idx]
    keys = columns[0] if len(columns) == 1 else map(b"\t".join, zip(*columns))
    return b"\n".join(keys) + b"\n"


# canonical date / timestamp / timestamptz texts whose byte order is their time order (4-digit AD years)
_ISO_TEXTS = re.compile(rb"(?:\d{4}-\d\d-\d\d(?: \d\d:\d\d:\d\d(?:\.\d+)?)?(?:\+00)?\n)*")
_ISO_TYPES = (PortableType.DATE, PortableType.TIMESTAMP, PortableType.TIMESTAMPTZ)
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


def column_max(chunk: bytes, index: int, ptype: PortableType) -> Any:
    """Largest typed value of field ``index`` over a chunk of whole lines (None: all NULL).

    For the cursor's maximum in a full read, so no per-line Python (that cost
    the agent ≈ 0.6 s per 1M rows): one regex scan cuts the fields out,
    integers are compared as ints and ISO dates/timestamps as their bytes, so
    only the winner is decoded.
    """
    first = chunk[: chunk.find(b"\n")].split(b"\t", index + 1)[index]
    values = _field_after_newline(index).findall(
        chunk, 0, len(chunk) - 1
    )  # not after the last newline
    values.append(first)
    if NULL in values:
        values = [v for v in values if v != NULL]
        if not values:
            return None
    if ptype is PortableType.INTEGER:
        return max(map(int, values))
    if ptype in _ISO_TYPES and _iso_texts(values):
        return field_value(ptype, max(values))
    return max(field_value(ptype, v) for v in set(values))


@cache
def _field_after_newline(index: int) -> re.Pattern[bytes]:
    """Field ``index`` of the line after each newline (the literal newline lets the scan skip ahead)."""
    return re.compile(rb"\n" + rb"[^\t\n]*\t" * index + rb"([^\t\n]*)")


def _iso_texts(values: list[bytes]) -> bool:
    """Whether every value is a canonical ISO text (so byte order is time order).

    Fast path, all C: the values usually share one shape (``dddd-dd-dd dd:dd:dd+00``),
    so with digits mapped to 0 their join is that one template repeated; else
    the full pattern decides.
    """
    joined = b"\n".join(values) + b"\n"
    template = values[0].translate(_DIGITS_AS_ZERO) + b"\n"
    if _ISO_TEXTS.fullmatch(template) and joined.translate(_DIGITS_AS_ZERO) == template * len(
        values
    ):
        return True
    return _ISO_TEXTS.fullmatch(joined) is not None


def whole_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Chunks cut at their last newline (a line split across chunks is joined)."""
    tail = b""
    for chunk in chunks:
        data = tail + chunk if tail else chunk
        cut = data.rfind(b"\n") + 1
        tail = data[cut:]
        if cut:
            yield data[:cut] if tail else data
    if tail:
        yield tail + b"\n"


def field_value(ptype: PortableType, field: bytes) -> Any:
    """Typed value of one raw COPY field (None for NULL), for comparing cursor values."""
    if field == NULL:
        return None
    return decode_value(ptype, unescape(field.decode("utf-8")))


def minus_overlap(text: str, ptype: PortableType, overlap: float) -> str:
    """The cursor value ``overlap`` units before ``text`` (seconds for dates/times)."""
    if not overlap:
        return text
    v = decode_value(ptype, text)
    if ptype is PortableType.INTEGER:
        out: Any = v - math.ceil(overlap)
    elif ptype in (PortableType.DECIMAL, PortableType.FLOAT):
        out = v - type(v)(str(overlap)) if isinstance(v, Decimal) else v - overlap
    elif ptype in (PortableType.TIMESTAMP, PortableType.TIMESTAMPTZ):
        out = v - dt.timedelta(seconds=overlap)
    elif ptype is PortableType.DATE:
        out = v - dt.timedelta(days=math.ceil(overlap / 86400))
    else:
        raise ConfigError(
            [("overlap", f"a {ptype.value} cursor cannot have an overlap; set overlap = 0")]
        )
    result = encode_value(ptype, out)
    assert result is not None
    return result


def short_hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:16]


def max_value(a: Optional[Any], b: Optional[Any]) -> Optional[Any]:
    if a is None:
        return b
    if b is None:
        return a
    return b if b > a else a
