"""Gap-free document numbers: ``PO-2026-00001``, ``GRN-2026-00001``, ``RMA-...``, ``SC-...``.

The year's counter row is locked (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` already serialises writers) and bumped in the caller's transaction, so a
rolled-back document gives its number back and two documents never share one.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.core.i18n import DISPLAY_TZ
from hub.purchasing.models import Counter

KINDS = ("PO", "GRN", "RMA", "SC", "TIK")  # TIK: customer care tickets (hub.care)


def next_number(session: Session, kind: str, at: Optional[dt.datetime] = None) -> str:
    """The next number of ``kind`` for the year (WIB calendar) of ``at``."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    year = (at or utcnow()).astimezone(DISPLAY_TZ).year
    if session.get(Counter, (kind, year)) is None:
        try:  # the year's first number: two writers may both try; the loser just reads
            with session.begin_nested():
                session.add(Counter(kind=kind, year=year, last=0))
        except IntegrityError:
            pass
    stmt = select(Counter).where(Counter.kind == kind, Counter.year == year)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    row = session.execute(stmt.execution_options(populate_existing=True)).scalar_one()
    row.last += 1
    session.flush()
    return f"{kind}-{year}-{row.last:05d}"
