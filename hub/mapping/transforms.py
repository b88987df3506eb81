"""Turning a source value into an entity field's type (exact: money stays Decimal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from hub.mapping.profiles import FieldType


def _text(v: Any) -> str:
    return format(v, "f") if isinstance(v, Decimal) else str(v)


def _integer(v: Any) -> int:
    if isinstance(v, (Decimal, float)) and v != int(v):
        raise ValueError(f"{v!r} is not a whole number")
    return int(v)


def _decimal(v: Any) -> Decimal:
    if isinstance(v, float):
        return Decimal(
            repr(v)
        )  # shortest text that round-trips: 0.15 -> Decimal("0.15"), never 0.1499…
    try:
        return v if isinstance(v, Decimal) else Decimal(str(v).strip())
    except InvalidOperation:
        raise ValueError(f"{v!r} is not a number") from None


def _boolean(v: Any) -> bool:
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("1", "t", "true", "y", "yes"):
            return True
        if s in ("0", "f", "false", "n", "no", ""):
            return False
        raise ValueError(f"{v!r} is not a yes/no value")
    return bool(v)


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v).strip()[:10])


TRANSFORMS: dict[FieldType, Callable[[Any], Any]] = {
    "text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "boolean": _boolean,
    "date": _date,
}


def convert(ftype: FieldType, value: Any) -> Any:
    """``value`` as ``ftype`` (None stays None); ValueError saying why not."""
    return None if value is None else TRANSFORMS[ftype](value)
