"""A big PostgreSQL stage loaded over two connections at once: the merge session's COPY and a helper's.

One COPY runs on one server core, and parsing the lines and computing the
generated key and hash columns is most of a big snapshot's staging (≈ 1 s per
1M rows). Here every other chunk goes to a helper connection, which COPYs it
into an UNLOGGED table of its own and commits; the stage the merge reads is
then a temp view over both halves, used by the merge's statements exactly as
the one-table stage (:func:`hub.merge.dialect.stage`). The merge transaction
must see the helper's commit, so this runs under READ COMMITTED only
(:func:`usable`).

The helper's table is named after the merge session's backend pid (plus a
counter) and dropped with the stage inside the merge transaction. When that
transaction rolls back instead, or its hub is killed, the table stays behind
until the next split load on that backend, or anywhere once the backend is
gone or idle (a merge keeps its transaction open from before its helper's
commit to its end, so it is never idle meanwhile). A failure on either side
while loading rolls the helper's table back before it is committed.
"""

from __future__ import annotations

import itertools
import queue
import threading
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

PREFIX = "merge_stage_"
NAME_PATTERN = (
    f"^{PREFIX}[0-9]+_[0-9]+$"  # merge_stage_<backend pid>_<n>: nothing else is ever dropped
)
_SPLITS = "synchub_split_stages"  # session.info key: stage view -> (own temp table, helper table)
_serial = itertools.count(
    1
)  # helper tables of one backend differ (a snapshot has several datasets)


def usable(session: Session) -> bool:
    """True when the merge transaction sees other sessions' commits (READ COMMITTED)."""
    level = session.execute(text("SELECT current_setting('transaction_isolation')")).scalar_one()
    return str(level) == "read committed"


def load(
    session: Session,
    driver: Any,
    table: str,
    columns: str,
    chunks: Iterable[bytes],
    copy: Callable[[Any, str, Iterable[bytes]], int],
) -> int:
    """Create the stage ``table`` (a temp view over two tables of ``columns``) and load ``chunks``.

    ``driver`` is the session's psycopg connection; ``copy(connection, table,
    chunks)`` the one-connection COPY (it names the columns and translates
    refused rows). Returns the rows loaded.
    """
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    own, theirs = f"{table}_own", f"{PREFIX}{pid}_{next(_serial)}"
    session.execute(text(f"DROP TABLE IF EXISTS {own}"))
    session.execute(text(f"CREATE TEMP TABLE {own} ({columns})"))
    for leftover in session.execute(
        text(  # this backend's own, from a merge that rolled back
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname ~ :p"
        ),
        {"p": f"^{PREFIX}{pid}_[0-9]+$"},
    ).scalars():
        session.execute(text(f"DROP TABLE {leftover}"))
    engine = session.get_bind().engine
    _drop_leftovers(engine)
    helper = _Helper(engine, theirs, columns, copy)

    def own_half(source: Iterable[bytes]) -> Iterator[bytes]:
        for i, chunk in enumerate(source):
            if i % 2:
                helper.put(chunk)
            else:
                yield chunk

    try:
        mine = copy(driver, own, own_half(chunks))
    except BaseException:
        helper.finish(abort=True)
        raise
    theirs_n = helper.finish(abort=False)
    session.execute(
        text(f"CREATE TEMP VIEW {table} AS SELECT * FROM {own} UNION ALL SELECT * FROM {theirs}")
    )
    session.info.setdefault(_SPLITS, {})[table] = (own, theirs)
    return mine + theirs_n


def drop(session: Session, table: str) -> bool:
    """Drop ``table`` and its halves if it is a split stage (in the merge transaction); False if not."""
    split = session.info.get(_SPLITS, {}).pop(table, None)
    if split is None:
        return False
    session.execute(text(f"DROP VIEW {table}"))
    for half in split:
        session.execute(text(f"DROP TABLE {half}"))
    return True


class _Helper(threading.Thread):
    """The second connection: COPYs what :meth:`put` hands it, commits on ``finish(abort=False)``."""

    def __init__(
        self,
        engine: Any,
        table: str,
        columns: str,
        copy: Callable[[Any, str, Iterable[bytes]], int],
    ) -> None:
        super().__init__(name=f"{table}-copy", daemon=True)
        self.engine, self.table, self.columns, self.copy = engine, table, columns, copy
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.abort = False
        self.ended = False  # the end of input (None) was taken
        self.rows = 0
        self.error: BaseException | None = None
        self.start()

    def put(self, chunk: bytes) -> None:
        self.chunks.put(chunk)

    def finish(self, *, abort: bool) -> int:
        """End the helper's input; its row count, or its error raised here (nothing committed then)."""
        self.abort = abort
        self.chunks.put(None)
        self.join()
        if self.error is not None and not abort:
            raise self.error
        return self.rows

    def run(self) -> None:
        fairy = None
        try:
            fairy = self.engine.raw_connection()
            conn = fairy.driver_connection
            with conn.cursor() as cur:
                cur.execute(f"CREATE UNLOGGED TABLE {self.table} ({self.columns})")
            self.rows = self.copy(conn, self.table, self._input())
            if self.abort:
                conn.rollback()
            else:
                conn.commit()
        except BaseException as exc:
            self.error = exc
            while not self.ended and self.chunks.get() is not None:  # the feeder must never block
                pass
        finally:
            if fairy is not None:
                fairy.close()  # back to the pool, which rolls back whatever is still open

    def _input(self) -> Iterator[bytes]:
        while (chunk := self.chunks.get()) is not None:
            yield chunk
        self.ended = True


def _drop_leftovers(engine: Any) -> None:
    """Drop helper tables whose merge is over: their backend is gone (a killed hub) or idle (rolled back).

    Never waits: a table someone still holds a lock on is left for a later sweep.
    """
    with engine.connect() as con:
        names = (
            con.execute(
                text(
                    "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
                    "AND c.relkind = 'r' AND c.relname ~ :pattern "
                    "AND split_part(substr(c.relname, :start), '_', 1)::int NOT IN "
                    "(SELECT pid FROM pg_stat_activity WHERE state IS DISTINCT FROM 'idle')"
                ),
                {"pattern": NAME_PATTERN, "start": len(PREFIX) + 1},
            )
            .scalars()
            .all()
        )
    for name in names:
        try:
            with engine.begin() as con:
                con.exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
                con.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        except DBAPIError:  # in use after all (lock timeout): a later sweep
            pass
