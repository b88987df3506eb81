"""Turning a source value into an entity field's type (exact: money stays Decimal), after the
field's transforms (:class:`hub.mapping.profiles.FieldMap`)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from hub.mapping.profiles import FieldMap, FieldType, Source, column_of

PLACES = Decimal("0.0001")  # a divided or de-taxed amount keeps 4 decimals (rounded half up)


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


def _spellings(value: Any) -> tuple[str, ...]:
    """How a value map may name ``value``: a boolean (MySQL's ``tinyint(1)``) as 1/0 or true/false."""
    if isinstance(value, bool):
        return ("1", "true", "True") if value else ("0", "false", "False")
    return (_text(value),)


def transform(source: Source, row: Mapping[str, Any]) -> Any:
    """The value of ``source`` in ``row`` (column name -> value) after its transforms.

    ``divide_by`` a zero or empty column gives None (no unit price for no quantity).
    """
    value = row[column_of(source)]
    if not isinstance(source, FieldMap) or value is None:
        return value
    if source.values is not None:
        value = next((source.values[k] for k in _spellings(value) if k in source.values), value)
    if source.divide_by is not None:
        by = row[source.divide_by]
        if by is None or _decimal(by) == 0:
            return None
        value = (_decimal(value) / _decimal(by)).quantize(PLACES, ROUND_HALF_UP)
    if source.multiply is not None:
        value = _decimal(value) * source.multiply
    if source.tax == "included" and source.tax_rate:
        gross = _decimal(value)
        value = (gross * 100 / (100 + source.tax_rate)).quantize(PLACES, ROUND_HALF_UP)
    return value
