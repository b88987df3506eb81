"""Accounting periods on the business's clock (WIB): a month ``2026-01`` or a year ``2026``.

Everything dated is put in a period by its WIB date: a transfer at 23:30 UTC on 31 January
happened on 1 February in Jakarta, and belongs to February. A :class:`Period` knows its
first day, the day after its last, and the same bounds as UTC instants for queries on
timestamp columns.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator, Optional, Union

from babel.dates import get_month_names

from hub.core.i18n import DISPLAY_TZ, pick, translatable
from shared.errors import DataError

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def wib_date(value: Union[dt.date, dt.datetime]) -> dt.date:
    """The WIB calendar date of a timestamp (a plain date is already one)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return aware.astimezone(DISPLAY_TZ).date()
    return value


def month_of(value: Union[dt.date, dt.datetime]) -> dt.date:
    """The first day of the WIB month ``value`` falls in."""
    return wib_date(value).replace(day=1)


def add_months(first: dt.date, n: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def utc_start(day: dt.date) -> dt.datetime:
    """The UTC instant WIB midnight starts ``day``."""
    return dt.datetime.combine(day, dt.time(), DISPLAY_TZ).astimezone(dt.timezone.utc)


def today(now: Optional[dt.datetime] = None) -> dt.date:
    return wib_date(now or dt.datetime.now(dt.timezone.utc))


@dataclass(frozen=True, order=True)
class Period:
    """A month (``kind="month"``) or a year, from ``start`` (a first day) to ``end`` (exclusive)."""

    start: dt.date
    kind: str = "month"

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), "month")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), "year")

    @classmethod
    def containing(cls, value: Union[dt.date, dt.datetime]) -> Period:
        return cls(month_of(value), "month")

    @classmethod
    def parse(cls, raw: object) -> Period:
        """``2026-01`` (a month) or ``2026`` (a year); anything else is a clear error."""
        text = str(raw or "")
        try:
            if m := _MONTH.match(text):
                return cls.month(int(m.group(1)), int(m.group(2)))
            if m := _YEAR.match(text):
                return cls.year(int(m.group(1)))
        except ValueError:
            pass
        raise translatable(
            DataError,
            "{value!r} is not a period",
            "write a month as 2026-01 or a year as 2026",
            value=text[:20],
        )

    @property
    def end(self) -> dt.date:
        return add_months(self.start, 12 if self.kind == "year" else 1)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.start:%Y}" if self.kind == "year" else f"{self.start:%Y-%m}"

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return utc_start(self.start), utc_start(self.end)

    def months(self) -> Iterator[Period]:
        first = self.start
        while first < self.end:
            yield Period(first, "month")
            first = add_months(first, 1)

    def previous(self) -> Period:
        return Period(add_months(self.start, -12 if self.kind == "year" else -1), self.kind)

    def label(self, lang: str) -> str:
        """``Januari 2026`` / ``January 2026``; a year is its number."""
        if self.kind == "year":
            return str(self.start.year)
        name = get_month_names("wide", locale=pick(lang))[self.start.month]
        return f"{name} {self.start.year}"

    def __str__(self) -> str:
        return self.key
