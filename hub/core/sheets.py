"""Reading and writing the spreadsheets people exchange with the hub: CSV (UTF-8) and XLSX.

Rows are numbered as a spreadsheet shows them (the header is row 1), so an error can
say "row 7" and the person finds it. Cells come back as text (XLSX numbers without
binary noise, dates ISO); the caller parses them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from hub.core.cells import neutralise, restore, text_cells
from hub.core.i18n import translatable
from shared.errors import DataError

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def format_of(filename: str) -> str:
    """``csv`` or ``xlsx`` from the file's name; anything else is refused with what to do."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise translatable(
            DataError,
            "{file}: only .csv and .xlsx files can be read",
            "save the sheet as CSV UTF-8 or as an Excel workbook (.xlsx) and upload that",
            file=filename,
        )
    return suffix


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(repr(value))  # 12.5 as stored, not 12.4999999
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()  # Excel keeps dates as midnight datetimes
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _cells(data: bytes, fmt: str) -> Iterator[list[str]]:
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        first = text.split("\n", 1)[0]
        # Excel set to Indonesian saves ";"-separated CSV (the comma is its decimal mark).
        delimiter = ";" if first.count(";") > first.count(",") else ","
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [restore(c) for c in cells]  # what write_table guarded against formulas
        return
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for row in wb.worksheets[0].iter_rows(values_only=True):
        yield [_text(v) for v in row]


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header in lower case, [(row number, {column: text})]) of a CSV or XLSX file.

    Empty rows are skipped (their numbers too); an unreadable file is a ``DataError``
    saying which kind of file was expected.
    """
    fmt = format_of(filename)
    try:
        rows = _cells(data, fmt)
        header = [h.strip().lower() for h in next(rows, [])]
        out = [
            (n, dict(zip(header, (c.strip() for c in cells))))
            for n, cells in enumerate(rows, start=2)
            if any(c.strip() for c in cells)
        ]
    except (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        kind = "UTF-8 CSV" if fmt == "csv" else "an XLSX workbook"
        raise translatable(
            DataError,
            "{file} cannot be read as {kind} ({why})",
            "save it again as CSV UTF-8 or .xlsx and upload that",
            file=filename,
            kind=kind,
            why=exc,
        ) from None
    if not header or not any(header):
        raise translatable(
            DataError, "{file} is empty", "the first row names the columns", file=filename
        )
    return header, out


def write_table(header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> bytes:
    """A CSV (UTF-8) or XLSX file of ``rows`` (Excel users: XLSX keeps every character).

    No cell runs as a formula when a spreadsheet opens the file (``hub.core.cells``): a text
    like ``=1+1`` gets a leading ``'`` in CSV, which :func:`read_table` takes off again.
    """
    if fmt == "csv":
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows([neutralise(v) if isinstance(v, str) else v for v in r] for r in rows)
        return buf.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def clean(v: Any) -> Any:  # control characters cannot be stored in a worksheet
            return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("data")
        ws.append(list(header))
        for r in rows:
            ws.append(text_cells(ws, [clean(v) for v in r]))  # text stays text, never a formula
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise DataError("unknown file format {format}", hint="use csv or xlsx", format=repr(fmt))
