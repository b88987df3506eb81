"""One leader among many hub processes, for periodic jobs (scan the inboxes, nightly reports).

PostgreSQL's session-level advisory lock does the election: whoever holds
``pg_try_advisory_lock(key)`` is the leader; if its process dies, the server
drops the connection and the lock with it, and the next process to try wins.
No home-made cluster protocol. On SQLite (one process by design) every caller
is the leader.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine, text


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a job name (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Leader:
    """Holds (or not) the leadership for ``name`` on its own connection until :meth:`release`."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self._conn: Connection | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self.engine.dialect.name != "postgresql"

    def try_acquire(self) -> bool:
        """True if this process is (now) the leader; never blocks."""
        if self.held:
            return True
        conn = self.engine.connect()
        try:
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
            )
            conn.commit()  # the lock is session-level: it outlives this transaction
        except Exception:
            conn.close()
            raise
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self._conn.commit()
        finally:
            self._conn.close()
            self._conn = None


@contextmanager
def leadership(engine: Engine, name: str) -> Iterator[bool]:
    """``with leadership(engine, "ingest-scan") as leader: if leader: ...`` — for one round."""
    leader = Leader(engine, name)
    try:
        yield leader.try_acquire()
    finally:
        leader.release()
