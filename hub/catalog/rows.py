"""One catalog row: text cells in, typed product fields out (or a list of what is wrong).

Shared by CSV and XLSX import and by export, so both formats agree on the
columns and their text forms.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

COLUMNS = [
    "sku",
    "ean",
    "name",
    "brand",
    "category",
    "list_price",
    "pack_size",
    "weight_kg",
    "length_cm",
    "width_cm",
    "height_cm",
    "warranty_months",
    "serialised",
    "active",
    "discontinued",
    "specs",
    "options",
    "images",
]
REQUIRED = ("sku", "name", "list_price")
_TRUE, _FALSE = {"1", "true", "yes", "y", "ya"}, {"0", "false", "no", "n", "tidak", ""}


def ean_check_digit(body: str) -> str:
    """GS1 check digit of the digits before it (weights 3,1,3… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def valid_ean(code: str) -> bool:
    return (
        code.isdigit() and len(code) in (8, 12, 13, 14) and ean_check_digit(code[:-1]) == code[-1]
    )


def _decimal(v: str, *, places: int) -> Decimal:
    try:
        d = Decimal(v.replace(",", ".") if v.count(",") == 1 and "." not in v else v)
    except InvalidOperation:
        raise ValueError(f"{v!r} is not a number (use digits and a dot, e.g. 12500.00)") from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"{v!r} must be zero or more")
    if d.as_tuple().exponent < -places:  # type: ignore[operator]
        raise ValueError(f"{v!r} has more than {places} decimals")
    return d


def _int(v: str) -> int:
    if not v.strip().lstrip("-").isdigit() or int(v) < 0:
        raise ValueError(f"{v!r} is not a whole number of zero or more")
    return int(v)


def _bool(v: str) -> bool:
    low = v.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"{v!r} is not yes/no (use true or false)")


def _json_object(v: str) -> dict[str, Any]:
    if not v.strip():
        return {}
    try:
        out = json.loads(v)
    except json.JSONDecodeError as e:
        raise ValueError(f'is not JSON ({e.msg}); write e.g. {{"colour": "red"}}') from None
    if not isinstance(out, dict):
        raise ValueError('must be a JSON object like {"capacity": "1 TB"}')
    return out


def _ean(v: str) -> str | None:
    v = v.strip()
    if not v:
        return None
    if not valid_ean(v):
        raise ValueError(
            f"{v!r} is not a valid EAN/GTIN (8, 12, 13 or 14 digits with a correct check digit)"
        )
    return v


def _text(limit: int) -> Callable[[str], str]:
    def conv(v: str) -> str:
        if len(v.strip()) > limit:
            raise ValueError(f"is longer than {limit} characters")
        return v.strip()

    return conv


PARSERS: dict[str, Callable[[str], Any]] = {
    "sku": _text(64),
    "ean": _ean,
    "name": _text(300),
    "brand": _text(100),
    "category": _text(100),
    "list_price": lambda v: _decimal(v, places=2),
    "pack_size": _int,
    "weight_kg": lambda v: _decimal(v, places=3),
    "length_cm": lambda v: _decimal(v, places=3),
    "width_cm": lambda v: _decimal(v, places=3),
    "height_cm": lambda v: _decimal(v, places=3),
    "warranty_months": _int,
    "serialised": _bool,
    "active": _bool,
    "discontinued": _bool,
    "specs": _json_object,
    "options": _json_object,
    "images": lambda v: [u for u in (p.strip() for p in v.split()) if u],
}
DEFAULTS: dict[str, Any] = {
    "pack_size": 1,
    "warranty_months": 0,
    "serialised": False,
    "active": True,
    "discontinued": False,
    "specs": {},
    "options": {},
    "images": [],
    "brand": "",
    "category": "",
    "ean": None,
}


def parse_row(cells: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(fields, problems as (column, message)) for one row; blank optional cells take defaults."""
    fields: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for col in COLUMNS:
        raw = (cells.get(col) or "").strip()
        if not raw:
            if col in REQUIRED:
                problems.append((col, "is required"))
            elif col in DEFAULTS:
                fields[col] = DEFAULTS[col]
            else:
                fields[col] = None
            continue
        try:
            fields[col] = PARSERS[col](raw)
        except ValueError as e:
            problems.append((col, str(e)))
    if fields.get("pack_size") == 0:
        problems.append(("pack_size", "must be at least 1"))
    return fields, problems


def format_row(p: Any) -> list[str]:
    """The text cells of a product, in :data:`COLUMNS` order (the import reads them back the same)."""
    out = []
    for col in COLUMNS:
        v = getattr(p, col)
        if v is None:
            out.append("")
        elif isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, dict):
            out.append(json.dumps(v, ensure_ascii=False, sort_keys=True) if v else "")
        elif isinstance(v, list):
            out.append(" ".join(v))
        elif isinstance(v, Decimal):
            out.append(
                format(v.normalize(), "f")
                if v != v.to_integral()
                else format(v.quantize(Decimal(1)), "f")
            )
        else:
            out.append(str(v))
    return out
