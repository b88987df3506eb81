"""Portable column types and their one canonical text form.

Every value that crosses from a reseller's database to the hub is written in
one canonical text per portable type, inside lines in PostgreSQL's COPY text
format (see :mod:`shared.copytext`). That choice is deliberate: PostgreSQL's
own ``COPY ... TO STDOUT`` (with ``TimeZone=UTC``, ``DateStyle=ISO``,
``bytea_output=hex``) already produces it, so the fastest export path and the
hub's bulk load need no per-value Python work, and every other platform is
converted to the same text.

Policies (stated once, tested in the connector conformance suite):

* ``decimal`` is exact (``Decimal``), never float; written without exponent.
* ``float`` text is not unique across platforms (PostgreSQL prints ``14``,
  Python ``14.0``): compare decoded values, not text.
* ``timestamp`` has no zone: the source's wall-clock time, kept as is (naive).
  ``timestamptz`` is converted to UTC and written with ``+00``.
* ``NULL`` is distinct from the empty string (``\\N`` vs an empty field).
* ``binary`` is ``\\x`` followed by lowercase hex.
* ``json`` is the JSON text as the source gave it; readers parse it, so two
  platforms that space it differently still compare equal.
* Invalid dates (MySQL's ``0000-00-00`` or ``2024-02-30``) become NULL and are
  reported as a warning with dataset, column and count — never a crash and
  never a silently wrong date.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Optional


class PortableType(str, Enum):
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DECIMAL = "decimal"
    FLOAT = "float"
    TEXT = "text"
    BINARY = "binary"
    DATE = "date"
    TIME = "time"
    TIMESTAMP = "timestamp"
    TIMESTAMPTZ = "timestamptz"
    JSON = "json"


@dataclass(frozen=True)
class Column:
    """One column as shared: its portable type and what the source called it."""

    name: str
    type: PortableType
    nullable: bool = True
    native: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.value,
            "nullable": self.nullable,
            "native": self.native,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Column:
        return cls(
            d["name"], PortableType(d["type"]), bool(d.get("nullable", True)), d.get("native", "")
        )


# --- encoding: Python value -> canonical text ---------------------------------


def _fraction(microsecond: int) -> str:
    return f".{microsecond:06d}".rstrip("0") if microsecond else ""


def _encode_time(t: dt.time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}{_fraction(t.microsecond)}"


def _encode_timestamp(v: dt.datetime) -> str:
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {_encode_time(v.time())}"


def _encode_timestamptz(v: dt.datetime) -> str:
    if v.tzinfo is None:
        raise ValueError(f"timestamptz value {v!r} has no time zone")
    return _encode_timestamp(v.astimezone(dt.timezone.utc)) + "+00"


def _encode_float(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(float(v))


def _encode_decimal(v: Any) -> str:
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if d.is_nan():
        return "NaN"
    return format(d, "f")


def _encode_bool(v: Any) -> str:
    if isinstance(v, str):
        return "t" if v.strip().lower() in ("t", "true", "1", "y", "yes") else "f"
    return "t" if v else "f"


def _encode_binary(v: Any) -> str:
    return "\\x" + bytes(v).hex()


def _encode_json(v: Any) -> str:
    if isinstance(v, (str, bytes)):
        return v.decode() if isinstance(v, bytes) else v
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _encode_text(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return v if isinstance(v, str) else str(v)


def _encode_date(v: Any) -> str:
    if isinstance(v, dt.datetime):
        v = v.date()
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"


ENCODERS: dict[PortableType, Callable[[Any], str]] = {
    PortableType.BOOLEAN: _encode_bool,
    PortableType.INTEGER: lambda v: str(int(v)),
    PortableType.DECIMAL: _encode_decimal,
    PortableType.FLOAT: _encode_float,
    PortableType.TEXT: _encode_text,
    PortableType.BINARY: _encode_binary,
    PortableType.DATE: _encode_date,
    PortableType.TIME: lambda v: _encode_time(
        v if isinstance(v, dt.time) else (dt.datetime.min + v).time()
    ),
    PortableType.TIMESTAMP: _encode_timestamp,
    PortableType.TIMESTAMPTZ: _encode_timestamptz,
    PortableType.JSON: _encode_json,
}


def encode_value(ptype: PortableType, value: Any) -> Optional[str]:
    """Canonical text for ``value`` (``None`` stays ``None``: SQL NULL)."""
    if value is None:
        return None
    return ENCODERS[ptype](value)


# --- decoding: canonical text -> Python value ---------------------------------


_FRACTION = re.compile(r"\.(\d{1,6})")


def _pad_fraction(text: str) -> str:
    """Canonical text trims trailing zeros (``.5``); Python < 3.11 parses only 3 or 6 digits."""
    return _FRACTION.sub(lambda m: "." + m.group(1).ljust(6, "0"), text, count=1)


def _decode_time(text: str) -> dt.time:
    return dt.time.fromisoformat(_pad_fraction(text))


def _decode_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(_pad_fraction(text))


def _decode_timestamptz(text: str) -> dt.datetime:
    if text.endswith(("+00", "-00")):
        text = text[:-3] + "+00:00"
    v = dt.datetime.fromisoformat(_pad_fraction(text))
    if v.tzinfo is None:
        v = v.replace(tzinfo=dt.timezone.utc)
    return v.astimezone(dt.timezone.utc)


def _decode_float(text: str) -> float:
    return float({"Infinity": "inf", "-Infinity": "-inf"}.get(text, text))


def _decode_binary(text: str) -> bytes:
    if not text.startswith("\\x"):
        raise ValueError(f"binary value must start with \\x, got {text[:10]!r}")
    return bytes.fromhex(text[2:])


DECODERS: dict[PortableType, Callable[[str], Any]] = {
    PortableType.BOOLEAN: lambda t: t == "t",
    PortableType.INTEGER: int,
    PortableType.DECIMAL: Decimal,
    PortableType.FLOAT: _decode_float,
    PortableType.TEXT: str,
    PortableType.BINARY: _decode_binary,
    PortableType.DATE: dt.date.fromisoformat,
    PortableType.TIME: _decode_time,
    PortableType.TIMESTAMP: _decode_timestamp,
    PortableType.TIMESTAMPTZ: _decode_timestamptz,
    PortableType.JSON: json.loads,
}


def decode_value(ptype: PortableType, text: Optional[str]) -> Any:
    """Python value for canonical ``text`` (``None`` for NULL)."""
    if text is None:
        return None
    return DECODERS[ptype](text)
