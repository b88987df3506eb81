"""Cells a spreadsheet will not run: what the hub writes to CSV and XLSX for people to open.

A reseller controls names, notes and SKUs that the hub exports; a text starting with ``=``,
``+``, ``-``, ``@`` (or a tab or carriage return) is a formula to Excel and LibreOffice
(OWASP "CSV injection"). In CSV such a text gets a leading ``'`` — shown as text, and taken
off again by the hub's own import (:func:`restore`); plain numbers (``-5``, ``+62812…``)
stay as they are. XLSX cells are written as text (:func:`text_cells`), never as formulas.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _formula_like(text: str) -> bool:
    """Starts like a formula (after any quotes this module added) and is not a plain number."""
    bare = text.lstrip("'")
    return bare.startswith(FORMULA_START) and not NUMBER.match(bare)


def neutralise(text: str) -> str:
    """``text`` for a CSV cell: ``'=1+1`` for ``=1+1``, unchanged when it cannot run.

    A text that already starts with quotes before a formula gets one more, so that
    :func:`restore` gives back exactly what was written.
    """
    return "'" + text if _formula_like(text) else text


def restore(text: str) -> str:
    """What :func:`neutralise` wrote, read back: the one ``'`` it added goes."""
    return text[1:] if text.startswith("'") and _formula_like(text[1:]) else text


def text_cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row of write-only openpyxl cells in which every text is text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would store "=…" as a formula
        out.append(cell)
    return out


__all__ = ["neutralise", "restore", "text_cells"]
