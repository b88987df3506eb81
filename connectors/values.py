"""Driver values -> the Python value each portable type's canonical encoder expects.

Typed drivers (psycopg, PyMySQL) already hand over the right Python types;
SQLite (dynamic typing: a DATE column may hold text) and files (everything is
text or a spreadsheet cell) do not. :func:`coerce` is the one lenient parser
they share; a value it cannot read as the column's type raises ``ValueError``
and the row encoder turns it into NULL plus a warning (the stated policy for
values a portable type cannot hold) instead of crashing or guessing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from shared.types import PortableType

TRUE_WORDS = frozenset({"true", "t", "yes", "y"})
FALSE_WORDS = frozenset({"false", "f", "no", "n"})
# No leading zeros ("007" is a code, not the number 7), no exponent, no separators.
INTEGER_RE = re.compile(r"[+-]?(0|[1-9][0-9]*)\Z")
DECIMAL_RE = re.compile(r"[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
TIME_RE = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?\Z")
TIMESTAMP_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
)
ZONE_RE = re.compile(r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)\Z")


def _bool(v: Any) -> bool:
    if isinstance(v, (bytes, bytearray)) and len(v) <= 8:  # a BIT(1) value from a MySQL driver
        v = int.from_bytes(v, "big")
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        w = v.strip().lower()
        if w in TRUE_WORDS or w == "1":
            return True
        if w in FALSE_WORDS or w == "0":
            return False
    raise ValueError(f"not a boolean: {v!r}")


def _int(v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError("a boolean is not an integer")
    if isinstance(v, int):
        return v
    if isinstance(v, (bytes, bytearray)) and len(v) <= 8:  # BIT(n)
        return int.from_bytes(v, "big")
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, Decimal) and v == v.to_integral_value():
        return int(v)
    if isinstance(v, str) and INTEGER_RE.match(v.strip()):
        return int(v)
    raise ValueError(f"not an integer: {v!r}")


def _decimal(v: Any) -> Decimal:
    if isinstance(v, bool):
        raise ValueError("a boolean is not a decimal")
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))  # the shortest text that is this float, not its binary expansion
    if isinstance(v, str):
        try:
            d = Decimal(v.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal: {v!r}") from None
        if d.is_finite():
            return d
    raise ValueError(f"not a decimal: {v!r}")


def _float(v: Any) -> float:
    if isinstance(v, bool):
        raise ValueError("a boolean is not a float")
    return float(v)


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).decode("utf-8")  # UnicodeDecodeError is a ValueError
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)


def _binary(v: Any) -> bytes:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, str):
        return v.encode("utf-8")
    raise ValueError(f"not binary: {type(v).__name__}")


def parse_timestamp(text: str) -> dt.datetime:
    """ISO 8601 with ``T`` or space, optional fraction and zone (``Z`` / ``±HH[:MM]``)."""
    t = text.strip()
    if not TIMESTAMP_RE.match(t):
        raise ValueError(f"not a timestamp: {text!r}")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    m = re.search(r"([+-])([0-9]{2})(:?([0-9]{2}))?\Z", t[19:])
    if m:  # Python 3.9's fromisoformat wants ±HH:MM
        t = t[: 19 + m.start()] + f"{m.group(1)}{m.group(2)}:{m.group(4) or '00'}"
    if "." in t[19:]:  # pad the fraction to 6 digits for 3.9 as well
        head, _, rest = t.partition(".")
        digits = re.match(r"[0-9]*", rest).group(0)  # type: ignore[union-attr]
        t = f"{head}.{digits.ljust(6, '0')[:6]}{rest[len(digits) :]}"
    return dt.datetime.fromisoformat(t)


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        if v.time() != dt.time(0):
            raise ValueError(f"a date column holds a time of day: {v!r}")
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        s = v.strip()
        if DATE_RE.match(s):
            return dt.date.fromisoformat(s)
        return _date(parse_timestamp(s).replace(tzinfo=None))
    raise ValueError(f"not a date: {v!r}")


def _time(v: Any) -> Any:
    if isinstance(v, (dt.time, dt.timedelta)):
        return v
    if isinstance(v, str) and TIME_RE.match(v.strip()):
        return parse_timestamp("2000-01-01 " + v.strip()).time()
    raise ValueError(f"not a time of day: {v!r}")


def _timestamp(v: Any) -> dt.datetime:
    if isinstance(v, str):
        v = dt.date.fromisoformat(v.strip()) if DATE_RE.match(v.strip()) else parse_timestamp(v)
    if isinstance(v, dt.datetime):
        stamp: dt.datetime = v
        if stamp.tzinfo is not None:  # an offset in a zone-less column: keep the UTC wall time
            stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return stamp
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    raise ValueError(f"not a timestamp: {v!r}")


def _timestamptz(v: Any) -> dt.datetime:
    if isinstance(v, str):
        v = parse_timestamp(v)
    if isinstance(v, dt.datetime):
        # A zone-less value in a zoned column is read as UTC (stated policy).
        return v if v.tzinfo is not None else v.replace(tzinfo=dt.timezone.utc)
    raise ValueError(f"not a timestamp with time zone: {v!r}")


def _json(v: Any) -> Any:
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode("utf-8")
    if isinstance(v, str):
        json.loads(v)  # JSONDecodeError is a ValueError: invalid JSON is reported, not passed on
    return v


COERCERS: dict[PortableType, Callable[[Any], Any]] = {
    PortableType.BOOLEAN: _bool,
    PortableType.INTEGER: _int,
    PortableType.DECIMAL: _decimal,
    PortableType.FLOAT: _float,
    PortableType.TEXT: _text,
    PortableType.BINARY: _binary,
    PortableType.DATE: _date,
    PortableType.TIME: _time,
    PortableType.TIMESTAMP: _timestamp,
    PortableType.TIMESTAMPTZ: _timestamptz,
    PortableType.JSON: _json,
}


def coerce(ptype: PortableType, value: Any) -> Any:
    """``value`` as the Python type ``ptype``'s encoder wants; ``ValueError`` if it is not one."""
    return None if value is None else COERCERS[ptype](value)
