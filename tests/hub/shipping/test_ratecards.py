"""Rate-card import: whole-file refusal with row + reason; new tariffs never rewrite old ones."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.shipping.models import RateCard
from hub.shipping.quotes import RateBook, quote
from hub.shipping.ratecards import RateCardRejected, export_bytes, import_file, read_rows
from hub.shipping.rules import Item
from tests.hub.shipping.helpers import GOOD, HEADER


def _import(db: Session, text: str, name: str = "cards.csv") -> None:
    import_file(db, data=text.encode(), filename=name)


def test_good_file_imports(db: Session) -> None:
    _import(db, GOOD)
    assert len(db.execute(select(RateCard)).scalars().all()) == 6


@pytest.mark.parametrize(
    "line, row, column, reason",
    [
        ("JNE,REG,32.73,99.99,11000,1,2,3,2025-01-01,", 3, "destination", "unknown region code"),
        ("JNE,REG,32.73,35.78,-5,1,2,3,2025-01-01,", 3, "price_per_kg", "negative"),
        ("JNE,REG,32.73,35.78,sebelas ribu,1,2,3,2025-01-01,", 3, "price_per_kg", "not a number"),
        ("JNE,REG,32.73,35.78,11000,1,dua,3,2025-01-01,", 3, "etd_min", "not a number"),
        ("JNE,REG,32.73,35.78,11000,1,2,3,1 Jan 2025,", 3, "effective_from", "not a date"),
        ("JNE,REG,32.73,35.78,11000,1,2,3,2025-03-01,", 3, "effective_from", "overlaps row 2"),
        ("JNE,XXX,32.73,35.78,11000,1,2,3,2025-03-01,", 3, "service", "unknown courier/service"),
        ("JNE,REG,32.73,35,11000,1,2,3,2025-03-01,", 3, "destination", "regency or district"),
    ],
)
def test_bad_row_refuses_the_whole_file(db: Session, line, row, column, reason) -> None:
    text = f"{HEADER}\nJNE,REG,32.73,35.78,11000,1,2,3,2025-01-01,\n{line}\n"
    with pytest.raises(RateCardRejected) as info:
        _import(db, text)
    assert any(
        e.row == row and e.column == column and reason in e.reason for e in info.value.errors
    ), info.value.errors
    assert f"row {row}, {column}" in str(info.value)
    assert db.execute(select(RateCard)).first() is None  # nothing imported


def test_every_problem_is_reported_at_once(db: Session) -> None:
    text = (
        f"{HEADER}\nJNE,REG,32.73,99.99,-1,1,2,3,2025-01-01,\n"
        "JNE,REG,32.73,35.78,abc,1,2,3,2025-01-01,\n"
    )
    with pytest.raises(RateCardRejected) as info:
        _import(db, text)
    assert {(e.row, e.column) for e in info.value.errors} == {
        (2, "price_per_kg"),
        (3, "price_per_kg"),
    }  # region check runs on typed rows only


def test_missing_column_is_named(db: Session) -> None:
    with pytest.raises(RateCardRejected, match="missing column.*price_per_kg"):
        _import(db, "courier,service,origin,destination\nJNE,REG,32.73,35.78\n")


def test_new_tariff_applies_from_its_date_only(db: Session) -> None:
    _import(db, GOOD)
    _import(db, f"{HEADER}\nJNE,REG,32.73,35.78,15000,1,2,3,2025-07-01,\n")
    book = RateBook.load(db)
    items = [Item(weight=D("2"))]
    old = {
        (o.courier, o.service): o
        for o in quote(book, "32.73", "35.78", items, day=dt.date(2025, 6, 30))
    }
    new = {
        (o.courier, o.service): o
        for o in quote(book, "32.73", "35.78", items, day=dt.date(2025, 7, 1))
    }
    assert old["JNE", "REG"].price_per_kg == 11000 and old["JNE", "REG"].fee == 22000
    assert new["JNE", "REG"].price_per_kg == 15000 and new["JNE", "REG"].fee == 30000
    assert ("TIKI", "REG") in new  # other services untouched
    # the file replaced JNE REG from 2025-07-01 on: its district line stops there too
    assert all(
        c.effective_to == dt.date(2025, 7, 1)
        for c in db.execute(
            select(RateCard).where(
                RateCard.service == "REG",
                RateCard.courier == "JNE",
                RateCard.effective_from < dt.date(2025, 7, 1),
            )
        ).scalars()
    )


def test_export_round_trips_csv_and_xlsx(db: Session) -> None:
    _import(db, GOOD)
    csv_bytes = export_bytes(db, "csv")
    xlsx_bytes = export_bytes(db, "xlsx")
    assert csv_bytes.decode().splitlines()[0] == HEADER
    before = sorted(
        (c.courier, c.service, c.destination, c.price_per_kg)
        for c in db.execute(select(RateCard)).scalars()
    )
    import_file(db, data=xlsx_bytes, filename="again.xlsx")  # same dates: replaces itself
    after = sorted(
        (c.courier, c.service, c.destination, c.price_per_kg)
        for c in db.execute(select(RateCard)).scalars()
    )
    assert before == after


@pytest.mark.parametrize(
    "name,data,reason",
    [
        # a line break inside a quoted field used to crash the API with a 500
        (
            "tariff.csv",
            b'courier,service\n"JNE\rREG",x\r\n\x00"unclosed',
            "missing column(s) origin",
        ),
        ("tariff.csv", b"\xff\xfe not utf-8", "cannot be read as UTF-8 CSV"),
        ("tariff.xlsx", b"PK\x03\x04 not really a workbook", "cannot be read as an XLSX workbook"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name, data, reason):
    with pytest.raises(RateCardRejected, match=re.escape(reason)):
        read_rows(data, name)
