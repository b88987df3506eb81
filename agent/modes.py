"""Which change-detection mode a dataset uses, and why (``syncagent check`` prints the why).

* ``cursor``: read rows whose cursor column is at or after the last value sent.
  Right for append-only tables and for an ``updated_at`` column that every
  write moves. Wrong for a creation date (``InvoiceDate``, ``created_at``): an
  edit to an old row does not move it, so the edit would never be sent.
* ``rowhash``: read the whole table, send the rows whose content hash is not in
  the agent's row-hash ledger (inserted or changed) and the keys the ledger has
  and the source no longer has (deleted). Trusts nothing but the data; costs a
  full read (not a full upload) per run.
* ``full``: send every row every time (small lookup tables).

Deletes are always decided by comparing key sets (``agent/ledger.py``), in
every mode. ``mode = "auto"`` (the default) picks ``cursor`` only when the
cursor's name says it is a modification time, else ``rowhash``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.config import DatasetSection

# names that say "changed at": a cursor to trust for edits as well as inserts
_MODIFIED = re.compile(
    r"(updated|modified|changed|edited|last_?update|last_?change|last_?modif|mtime|"
    r"lastmod|row_?version|date_?upd|upd_?date)",
    re.IGNORECASE,
)
# names that say "created at" / "business date": never move when a row is edited
_CREATED = re.compile(
    r"(creat|insert|added|register|posted|issued|opened|placed|birth|^date$|date$|_dt$|"
    r"_on$|^id$|_id$|^no$|number)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Choice:
    mode: str  # cursor | rowhash | full
    why: str
    creation_like: bool = False  # the cursor's name looks like a creation date


def looks_modified(column: str) -> bool:
    return bool(_MODIFIED.search(column))


def looks_created(column: str) -> bool:
    return not looks_modified(column) and bool(_CREATED.search(column))


def choose(d: DatasetSection) -> Choice:
    """The dataset's mode from its config (``mode``, ``cursor``), with the reason in words."""
    cursor = d.cursor
    created = bool(cursor) and looks_created(cursor or "")
    if d.mode == "full":
        return Choice("full", 'mode = "full": every row is sent every time', created)
    if d.mode == "rowhash":
        return Choice("rowhash", 'mode = "rowhash": changed rows found by row hash', created)
    if d.mode == "cursor":
        assert cursor is not None  # config_rules refuses mode = "cursor" without one
        why = f'mode = "cursor": rows whose {cursor} moved'
        if not looks_modified(cursor):
            why += (
                f"; {cursor!r} does not look like a modification time: edits to old rows are "
                'missed unless the table is append-only (mode = "rowhash" finds them)'
            )
        return Choice("cursor", why, created)
    if cursor and looks_modified(cursor):
        return Choice("cursor", f"auto: {cursor!r} looks like a modification time", False)
    if cursor:
        return Choice(
            "rowhash",
            f"auto: {cursor!r} does not look like a modification time"
            + (" (it looks like a creation date)" if created else "")
            + ", so edits to old rows would not move it: row hash instead "
            '(set mode = "cursor" if the table is append-only)',
            created,
        )
    return Choice("rowhash", "auto: no cursor column configured: row hash")
