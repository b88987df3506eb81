"""One leader among many hub processes, for periodic jobs (scan the inboxes, nightly reports).

PostgreSQL's session-level advisory lock does the election: whoever holds
``pg_try_advisory_lock(key)`` is the leader; if its process dies, the server
drops the connection and the lock with it, and the next process to try wins.
No home-made cluster protocol. On SQLite every caller is the leader of a round
(one process by design), unless a ``lock_file`` is given: then an exclusive
``flock`` on it elects one process on this machine the same way (the kernel
drops it when the holder dies) — the jobs scheduler uses that, so ``synchub
serve`` and a ``synchub jobs`` started beside it never both run the jobs.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, text


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a job name (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Leader:
    """Holds (or not) the leadership for ``name`` on its own connection until :meth:`release`."""

    def __init__(self, engine: Engine, name: str, lock_file: Path | None = None) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self.lock_file = lock_file
        self._conn: Connection | None = None
        self._fd: int | None = None

    @property
    def on_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def held(self) -> bool:
        if self.on_postgres:
            return self._conn is not None
        return self.lock_file is None or self._fd is not None

    def try_acquire(self) -> bool:
        """True if this process is (now) the leader; never blocks."""
        if self.held:
            return True
        if not self.on_postgres:
            return self._try_flock()
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

    def alive(self) -> bool:
        """Still the leader? A held PostgreSQL lock dies with its connection: ask the server."""
        if self._conn is None:
            return self.held
        try:
            self._conn.exec_driver_sql("SELECT 1")
            self._conn.commit()
            return True
        except Exception:
            self._conn.invalidate()
            self._conn = None
            return False

    def _try_flock(self) -> bool:
        assert self.lock_file is not None
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None
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
