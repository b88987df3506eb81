"""Indonesian first: every word the reports and the period lock show is in the Indonesian
catalogue — the templates' texts, the errors, the closed-month refusals, and every title,
column, note and word of each report built on the fixed data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.core.i18n import catalogue
from hub.periods import guard
from hub.periods.calendar import Period
from hub.reports.kinds import KINDS, Params, build
from hub.reports.sales import Filters
from tests.hub.orders.helpers import Hub
from tests.hub.purchasing.errortexts import fixed_texts
from tests.hub.purchasing.msgids import HUB, missing, template_ids
from tests.hub.reports import dataset

JAN = Period.month(2026, 1)


def test_templates_errors_and_refusals_are_translated() -> None:
    modules = [*(HUB / "reports").glob("*.py"), *(HUB / "periods").glob("*.py")]
    ids = fixed_texts(*modules) | template_ids("reports")
    ids |= {guard.message_id(d) for d in guard.DATED} | {guard.HINT}
    ids |= {k.title for k in KINDS.values()} | {k.description for k in KINDS.values()}
    assert missing(ids, catalogue("id")) == []


def test_every_word_of_every_report_is_translated(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = dataset.build(hub, tmp_path / "proofs", monkeypatch)
    ids: set[str] = set()
    with data.factory() as s:
        for name in KINDS:
            for filters in (Filters(), Filters(reseller="r2")):
                r = build(s, name, Params(JAN, filters))
                ids |= {r.title} | {m for m, _ in r.notes}
                for section in r.sections:
                    ids |= {section.title} | ({section.note} if section.note else set())
                    ids |= {c.label for c in section.columns if c.label and not c.hidden}
                    for row in [*section.rows, *([section.total] if section.total else [])]:
                        for column, value in zip(section.columns, row):
                            if value and isinstance(value, str) and column.kind != "text":
                                ids.add(value)
    assert missing(ids, catalogue("id")) == []
