"""What the agent remembers between runs (SQLite in the state folder).

* the next snapshot sequence — it only moves when a snapshot is committed to
  the outbox, in the same transaction as the cursors that snapshot advanced;
* per dataset: the last cursor value sent and the *overlap window* — key hash
  and row hash of every row whose cursor is within ``overlap`` of that value.
  The next incremental re-reads from ``max − overlap`` (so rows sharing the
  last cursor value, or committed late, are never lost) and drops re-read rows
  whose hash is unchanged (so unchanged boundary rows are not sent twice);
* per dataset: which ledger files are valid (agent/ledger.py) and, for cursor
  datasets, how often existing keys' cursors moved (``syncagent check``),
  committed with the cursors;
* per snapshot: the SHA-256 of the sealed file, so a hub acknowledgement is
  taken only for the very file it names (agent/hubmail.py);
* the hub's open requests and a re-base point after a conflict (``meta``);
* run history for ``syncagent status``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, Optional

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (
    dataset TEXT PRIMARY KEY, cursor_max TEXT, cursor_type TEXT,
    config_digest TEXT NOT NULL, sequence INTEGER NOT NULL, updated_at TEXT NOT NULL);
-- the overlap window, one blob per dataset: key hash and row hash, 16 bytes each, pair after pair
CREATE TABLE IF NOT EXISTS windows (dataset TEXT PRIMARY KEY, pairs BLOB NOT NULL);
-- the same, a row per pair, as agents before 2026-12-07 kept it (read until the next commit)
CREATE TABLE IF NOT EXISTS window_rows (
    dataset TEXT NOT NULL, key_hash BLOB NOT NULL, row_hash BLOB NOT NULL,
    PRIMARY KEY (dataset, key_hash));
CREATE TABLE IF NOT EXISTS snapshots (
    sequence INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL, created_at TEXT NOT NULL, delivered_at TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT, status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '');
"""


WINDOW_HASH = 16  # bytes of a key hash and of a row hash (agent.transform.short_hash)


def _window_blob(window: dict[bytes, bytes]) -> bytes:
    """The pairs one after the other: one row to write, where a row per pair cost 7 µs each
    (0.7 s for a window of 100k rows written by one statement, profiled)."""
    blob = b"".join(chain.from_iterable(window.items()))
    if len(blob) != 2 * WINDOW_HASH * len(window):
        raise ValueError(f"overlap window hashes must be {WINDOW_HASH} bytes each")
    return blob


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class CursorState:
    cursor_max: Optional[str]
    cursor_type: Optional[str]
    config_digest: str
    sequence: int


@dataclass
class DatasetAdvance:
    """How one dataset's cursor moves when a snapshot commits (window=None keeps the old one)."""

    cursor_max: Optional[str]
    cursor_type: Optional[str]
    config_digest: str
    window: Optional[dict[bytes, bytes]] = None
    ledger: Optional[str] = None  # the ledger's record (agent/ledger.py); None forgets the old one
    probe: Optional[str] = None  # cursor datasets: how often existing keys' cursors moved (JSON)


class AgentState:
    """The state database; open it per command (it is small and local)."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "state.db"
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        cols = {r[1] for r in self.db.execute("PRAGMA table_info(snapshots)")}
        if "sha256" not in cols:  # a state folder of an agent before format 2
            self.db.execute("ALTER TABLE snapshots ADD COLUMN sha256 TEXT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AgentState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sequence --------------------------------------------------------------
    def next_sequence(self, highest_on_disk: int = 0) -> int:
        """The sequence for the next snapshot; never reuses one already in the outbox or sent/,
        nor one at or below the hub's last applied sequence after a conflict (``rebase``)."""
        row = self.db.execute("SELECT max(sequence) FROM snapshots").fetchone()
        rebase = int(self.get_meta("rebase") or 0)
        return max(row[0] or 0, highest_on_disk, rebase - 1) + 1

    def snapshot_by_sequence(self, sequence: int) -> Optional[dict[str, Any]]:
        cur = self.db.execute(
            "SELECT sequence, name, kind, sha256, delivered_at FROM snapshots WHERE sequence=?",
            (sequence,),
        )
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row)) if row else None

    def is_fresh(self) -> bool:
        """No snapshot was ever committed from this state folder (new, or wiped)."""
        return self.db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 0

    def snapshots_since_full(self) -> Optional[int]:
        """Snapshots committed since the last full one (None: never a full one)."""
        row = self.db.execute("SELECT max(sequence) FROM snapshots WHERE kind='full'").fetchone()
        if row[0] is None:
            return None
        return self.db.execute(
            "SELECT count(*) FROM snapshots WHERE sequence > ?", (row[0],)
        ).fetchone()[0]

    # -- cursors ---------------------------------------------------------------
    def cursor(self, dataset: str) -> Optional[CursorState]:
        row = self.db.execute(
            "SELECT cursor_max, cursor_type, config_digest, sequence FROM cursors WHERE dataset=?",
            (dataset,),
        ).fetchone()
        return CursorState(*row) if row else None

    def window(self, dataset: str) -> dict[bytes, bytes]:
        """The dataset's overlap window: key hash -> row hash."""
        row = self.db.execute("SELECT pairs FROM windows WHERE dataset=?", (dataset,)).fetchone()
        if row is None:  # none yet, or kept a row per pair by an older agent
            return dict(
                self.db.execute(
                    "SELECT key_hash, row_hash FROM window_rows WHERE dataset=?", (dataset,)
                )
            )
        blob = row[0]
        parts = [blob[i : i + WINDOW_HASH] for i in range(0, len(blob), WINDOW_HASH)]
        return dict(zip(parts[0::2], parts[1::2]))

    def cursors(self) -> dict[str, CursorState]:
        rows = self.db.execute(
            "SELECT dataset, cursor_max, cursor_type, config_digest, sequence FROM cursors"
        )
        return {r[0]: CursorState(*r[1:]) for r in rows}

    # -- commit ------------------------------------------------------------------
    def commit_snapshot(
        self,
        sequence: int,
        name: str,
        kind: str,
        rows: int,
        size: int,
        advances: dict[str, DatasetAdvance],
        sha256: Optional[str] = None,
        answered: tuple[str, ...] = (),
    ) -> None:
        """Record a snapshot now in the outbox and advance its cursors, atomically.

        ``answered``: the hub requests it answers (their ``request:`` meta rows go);
        a full snapshot also ends a re-base (``rebase`` meta row).
        """
        now = _now()
        with self._tx():
            self.db.execute(
                "INSERT INTO snapshots (sequence, name, kind, rows, bytes, created_at, sha256) "
                "VALUES (?,?,?,?,?,?,?)",
                (sequence, name, kind, rows, size, now, sha256),
            )
            for rid in answered:
                self.db.execute("DELETE FROM meta WHERE key=?", (f"request:{rid}",))
                self.db.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?,?)", (f"answered:{rid}", str(sequence))
                )
            if kind == "full":
                self.db.execute("DELETE FROM meta WHERE key='rebase'")
            for ds, adv in advances.items():
                self.db.execute(
                    "INSERT OR REPLACE INTO cursors VALUES (?,?,?,?,?,?)",
                    (ds, adv.cursor_max, adv.cursor_type, adv.config_digest, sequence, now),
                )
                if adv.ledger is not None:
                    self.db.execute(
                        "INSERT OR REPLACE INTO meta VALUES (?,?)", (f"ledger:{ds}", adv.ledger)
                    )
                else:
                    self.db.execute("DELETE FROM meta WHERE key=?", (f"ledger:{ds}",))
                if adv.probe is not None:
                    self.db.execute(
                        "INSERT OR REPLACE INTO meta VALUES (?,?)", (f"probe:{ds}", adv.probe)
                    )
                if adv.window is not None:
                    self.db.execute("DELETE FROM window_rows WHERE dataset=?", (ds,))
                    self.db.execute(
                        "INSERT OR REPLACE INTO windows VALUES (?,?)",
                        (ds, _window_blob(adv.window)),
                    )

    def mark_delivered(self, name: str) -> None:
        self.db.execute("UPDATE snapshots SET delivered_at=? WHERE name=?", (_now(), name))

    def snapshots(self, limit: int = 10) -> list[dict[str, Any]]:
        cur = self.db.execute(
            "SELECT sequence, name, kind, rows, bytes, created_at, delivered_at "
            "FROM snapshots ORDER BY sequence DESC LIMIT ?",
            (limit,),
        )
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur]

    # -- runs --------------------------------------------------------------------
    def start_run(self, command: str) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (command, started_at, status) VALUES (?,?,'running')",
            (command, _now()),
        )
        assert cur.lastrowid is not None, "an INSERT always sets lastrowid"
        return cur.lastrowid

    def finish_run(self, run_id: int, status: str, message: str = "") -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, message=? WHERE id=?",
            (_now(), status, message, run_id),
        )

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        cur = self.db.execute(
            "SELECT id, command, started_at, finished_at, status, message "
            "FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur]

    def get_meta(self, key: str) -> Optional[str]:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def meta_items(self, prefix: str) -> list[tuple[str, str]]:
        """Every (key, value) of the meta table whose key starts with ``prefix``."""
        rows = self.db.execute(
            "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return [(k, v) for k, v in rows]

    def _tx(self) -> _Tx:
        return _Tx(self.db)


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
