"""The hub's copy of a dataset's key-set digest, kept up to date so most incrementals skip delete detection.

An incremental's manifest carries the :mod:`shared.keyset` digest of every key
at the source, and its keys part lists them all. Finding deletes from the list
means staging and anti-joining every key, every night. But the digest is a
sum, so the hub keeps the digest of its *current* keys per merged dataset
(``MergedDataset.key_digest``), adding H(key) for each key a merge inserts and
subtracting H(key) for each key it closes. When "stored digest + this
snapshot's new keys" equals the manifest's digest (and the counts agree), the
source deleted nothing: the keys part is not even read. A dataset's first load
starts from the manifest's own digest when it counts exactly the rows loaded
(``service._initial_key_sum``): those rows are the keys it digests.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import TextClause
from sqlalchemy.orm import Session

from hub.merge import dialect
from shared.keyset import KeySetDigest

MOD = 1 << 256


def parse(digest: str | None) -> int | None:
    """A stored hex digest as an integer (None stays None: not computed yet)."""
    return None if digest is None else int(digest, 16)


def combine(base: int, plus: int, minus: int = 0) -> str:
    """``base + plus − minus`` (mod 2**256) as 64 hex digits, the form of ``shared.keyset``."""
    return f"{(base + plus - minus) % MOD:064x}"


def sum_keys(
    session: Session, select_keys: str, params: dict[str, object] | None = None
) -> tuple[int, int]:
    """(count, digest sum) of the key lines ``select_keys`` returns (column ``key_line``), in the database."""
    return dialect.keys_sum(session, select_keys, params or {})


def sum_lines(keys: Iterable[str]) -> tuple[int, int]:
    """(count, digest sum) of key lines already in Python (e.g. the ``RETURNING`` of a close)."""
    d = KeySetDigest()
    for k in keys:
        d.add(k.encode("utf-8"))
    return d.count, int(d.hexdigest(), 16)


def close_returning(
    session: Session, update: TextClause, params: dict[str, object]
) -> tuple[int, int]:
    """Run an ``UPDATE … RETURNING row_key`` that closes versions: (rows closed, digest sum of their keys)."""
    return sum_lines(key for (key,) in session.execute(update, params))
