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

The stored digest is kept in the hash the agent's manifests use (its text says
which, :func:`shared.keyset.algorithm_of`): when an agent's upgrade switches
from SHA-256 to XXH3-128 sums, the first merge recomputes the stored digest
from the current keys, once.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.merge import dialect
from shared import keyset


def algorithm(manifest_digest: str | None, stored: str | None) -> str:
    """The hash this merge keeps its digest in: the manifest's, else the stored one's, else the default."""
    for digest in (manifest_digest, stored):
        if digest is not None:
            return keyset.algorithm_of(digest)
    return keyset.DEFAULT


def parse(digest: str | None, algorithm: str) -> int | None:
    """A stored digest's sum; None when not computed yet or kept in another hash (recompute it)."""
    if digest is None or keyset.algorithm_of(digest) != algorithm:
        return None
    return keyset.value_of(digest)


def combine(algorithm: str, base: int, plus: int, minus: int = 0) -> str:
    """``base + plus − minus`` as the digest text of ``algorithm`` (the form of ``shared.keyset``)."""
    return keyset.text_of(algorithm, base + plus - minus)


def sum_keys(
    session: Session, select_keys: str, algorithm: str, params: dict[str, object] | None = None
) -> tuple[int, int]:
    """(count, digest sum) of the key lines ``select_keys`` returns (column ``key_line``)."""
    return dialect.keys_sum(session, select_keys, params or {}, algorithm)
