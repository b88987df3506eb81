"""CSV export of merged rows, streamed (the same writer for the API and the CLI).

Cells are the canonical texts of :mod:`shared.types` (exact decimals, UTC
``+00`` timestamps, ``\\x`` hex binary); NULL is an empty cell. A text a reseller synced that
would run as a spreadsheet formula is written with a leading ``'`` (:mod:`hub.core.cells`).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Iterator

from hub.core.cells import neutralise
from shared.types import Column, encode_value


def csv_lines(columns: list[Column], rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    for n, row in enumerate(rows, 1):
        writer.writerow([neutralise(encode_value(c.type, v) or "") for c, v in zip(columns, row)])
        if n % 1000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
