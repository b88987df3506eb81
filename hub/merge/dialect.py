"""The few places where SQLite and PostgreSQL differ for the merge, and nothing else.

Everything else in the merge is one SQL text for both. Here: bulk-loading the
staging table (COPY FROM STDIN on PostgreSQL, batched executemany on SQLite),
quoting a text as a JSON string, reading one JSON array element, and the
key-set digest of the current keys (set-based on PostgreSQL, streamed on SQLite).
"""

from __future__ import annotations

from typing import Iterable, Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.copytext import parse_line
from shared.errors import DataError
from shared.keyset import KeySetDigest

BATCH = 10_000
_MOD = 1 << 256


def name(session: Session) -> str:
    return session.get_bind().dialect.name


def char(session: Session, code: int) -> str:
    return f"chr({code})" if name(session) == "postgresql" else f"char({code})"


def json_string(session: Session, expr: str) -> str:
    """SQL for ``expr`` (text or NULL) as a JSON value: a quoted string or ``null``."""
    if name(session) == "postgresql":
        return f"COALESCE(to_json({expr})::text, 'null')"
    return f"json_quote({expr})"


def json_element(session: Session, expr: str, position: int) -> str:
    """SQL for element ``position`` of the JSON array text ``expr`` as text (NULL if null/absent)."""
    if name(session) == "postgresql":
        return f"(({expr})::json ->> {int(position)})"
    return f"json_extract({expr}, '$[{int(position)}]')"


def load(session: Session, table: str, width: int, chunks: Iterable[bytes], what: str) -> int:
    """Bulk-load COPY-text ``chunks`` (whole lines) into ``table`` (``width`` text columns)."""
    if name(session) == "postgresql":
        return _copy(session, table, chunks, what)
    cols = ", ".join(f"c{i}" for i in range(width))
    marks = ", ".join("?" for _ in range(width))
    cur = session.connection().connection.driver_connection.cursor()
    n = 0
    try:
        batch: list[list[str | None]] = []
        for row in _parse(chunks, width, what):
            batch.append(row)
            if len(batch) >= BATCH:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
            n += len(batch)
    finally:
        cur.close()
    return n


def _parse(chunks: Iterable[bytes], width: int, what: str) -> Iterator[list[str | None]]:
    n = 0
    for chunk in chunks:
        for line in chunk.decode("utf-8").split("\n")[:-1]:
            n += 1
            fields = parse_line(line)
            if len(fields) != width:
                raise DataError(
                    f"{what}: line {n} has {len(fields)} fields, expected {width}",
                    hint="the snapshot does not match its manifest; quarantine it and re-export",
                    line=n,
                )
            yield fields


def _copy(session: Session, table: str, chunks: Iterable[bytes], what: str) -> int:
    import psycopg  # hub extra; imported here so SQLite-only installs need no driver

    conn = session.connection().connection.driver_connection
    try:
        with conn.cursor() as cur:
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for chunk in chunks:
                    copy.write(chunk)
            n = cur.rowcount
    except psycopg.errors.DataError as e:  # bad field count, invalid escape, bad UTF-8…
        raise DataError(
            f"{what}: PostgreSQL refused the rows: {str(e).splitlines()[0]}",
            hint="the snapshot does not match its manifest; quarantine it and re-export",
        ) from None
    session.execute(text(f"ANALYZE {table}"))
    return n


def current_keys_digest(session: Session, where: str, params: dict[str, object]) -> tuple[int, str]:
    """(count, digest) of ``row_key`` over ``record_versions`` rows matching ``where`` (see shared.keyset)."""
    if name(session) == "postgresql":
        limbs = ", ".join(
            f"COALESCE(sum((('x' || substr(h, {1 + 16 * i}, 16))::bit(64)::bigint)::numeric"
            f" + CASE WHEN ('x' || substr(h, {1 + 16 * i}, 16))::bit(64)::bigint < 0"
            f" THEN 18446744073709551616 ELSE 0 END), 0)"
            for i in range(4)
        )
        sql = (f"SELECT count(*), {limbs} FROM (SELECT encode(sha256(convert_to(row_key, 'UTF8')), 'hex') AS h "
               f"FROM record_versions WHERE {where}) k")
        row = session.execute(text(sql), params).one()
        total = sum(int(row[1 + i]) << (64 * (3 - i)) for i in range(4)) % _MOD
        return int(row[0]), f"{total:064x}"
    digest = KeySetDigest()
    for (key,) in session.execute(text(f"SELECT row_key FROM record_versions WHERE {where}"), params):
        digest.add(key.encode("utf-8"))
    return digest.count, digest.hexdigest()
