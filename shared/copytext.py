"""Rows as lines in PostgreSQL's COPY text format.

One row per line, fields separated by a tab, ``\\N`` for NULL, and inside a
field backslash escapes for the characters that would break the framing. This
is a documented, widely implemented format (PostgreSQL ``COPY``), unambiguous
about NULL versus empty string, and what PostgreSQL itself emits fastest.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

NULL = "\\N"

_ESCAPES = {
    "\\": "\\\\",
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
}
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r\b\f\v]")
_UNESCAPES = {
    "\\": "\\",
    "t": "\t",
    "n": "\n",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "N": None,
}
_ESCAPED = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", re.DOTALL)


def escape(text: str) -> str:
    """Escape one field's text for a COPY line."""
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _unescape_one(m: re.Match[str]) -> str:
    seq = m.group(1)
    if seq[0] == "x" and len(seq) > 1:
        return chr(int(seq[1:], 16))
    if seq[0].isdigit() and seq[0] in "01234567":
        return chr(int(seq, 8))
    return _UNESCAPES.get(seq, seq) or ""


def unescape(field: str) -> str:
    """Undo :func:`escape` (and the other escapes PostgreSQL may emit)."""
    if "\\" not in field:
        return field
    return _ESCAPED.sub(_unescape_one, field)


def format_line(fields: Sequence[Optional[str]]) -> str:
    """One row (canonical texts, ``None`` for NULL) as a COPY line, newline included."""
    return "\t".join(NULL if f is None else escape(f) for f in fields) + "\n"


def parse_line(line: str) -> list[Optional[str]]:
    """Fields of one COPY line (trailing newline optional); ``None`` for NULL."""
    if line.endswith("\n"):
        line = line[:-1]
    return [None if f == NULL else unescape(f) for f in line.split("\t")]


def format_lines(rows: Iterable[Sequence[Optional[str]]]) -> str:
    return "".join(format_line(r) for r in rows)
