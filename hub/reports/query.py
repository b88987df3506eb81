"""What a reader asks for — period, breakdown, filters — read from a query string, checked.

Shared by the pages, the API and the CLI, so each refuses the same things with the same
words: an unknown period, breakdown or report, a group or product that is not a number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

from hub.core.i18n import translatable
from hub.periods.calendar import Period, today
from hub.reports.kinds import Params, kind
from hub.reports.sales import Filters, check_dimension
from shared.errors import DataError

FILTERS = ("reseller", "group", "product", "category", "region")


def _number(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 < value < 2**31:
        raise translatable(
            DataError, "{name} must be a number, not {value!r}", name=name, value=raw[:20]
        )
    return value


def last_month(now: Optional[dt.datetime] = None) -> Period:
    return Period.containing(today(now)).previous()


def params_from(name: str, query: Mapping[str, Any], *, default: Optional[Period] = None) -> Params:
    """Params of report ``name`` from ``query`` (``period``, ``by`` and the filters)."""
    kind(name)
    raw = {k: str(query.get(k) or "").strip() for k in ("period", "by", *FILTERS)}
    period = Period.parse(raw["period"]) if raw["period"] else (default or last_month())
    filters = Filters(
        reseller=raw["reseller"] or None,
        group=_number("group", raw["group"]) if raw["group"] else None,
        product=_number("product", raw["product"]) if raw["product"] else None,
        category=raw["category"][:100] if raw["category"] else None,
        region=raw["region"][:13] if raw["region"] else None,
    )
    by = check_dimension(raw["by"]) if raw["by"] else ""
    return Params(period, filters, by)


def query_of(params: Params) -> dict[str, str]:
    """The query string that asks for ``params`` again (links to PDF/XLSX, pages)."""
    out = {"period": params.period.key, **params.filters.as_dict()}
    if params.by:
        out["by"] = params.by
    return out
