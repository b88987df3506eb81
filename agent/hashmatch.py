"""Which line hashes of a read the previous ledger holds: a sorted array, not a set of a million ints.

Why: an incremental compares every line it reads with the ledger of the last
push. A Python set of the ledger's hashes costs 60-70 bytes per line and, per
1M lines, 0.28 s to build and 0.19 s to empty as the read goes (profiled on
``bench/incremental_floor.py``'s dataset, where it was a third of the agent's
export with nothing changed). The same hashes sorted in a NumPy array cost
8 bytes a line (plus one for "taken"), and each chunk of the read is sorted and
looked up with one binary search in C: 0.17 s per 1M lines in all
(``python bench/ledger_compare.py``).
"""

from __future__ import annotations

from typing import Optional

import numpy as np


class HashMatch:
    """The ledger's line hashes; each chunk of a read takes the ones it holds, once."""

    def __init__(self, hashes: bytes) -> None:
        """``hashes``: 8 bytes per line, machine byte order (the ledger's ``.hashes`` file)."""
        self._sorted = np.sort(np.frombuffer(hashes, dtype=np.uint64))
        self._taken = np.zeros(len(self._sorted), dtype=bool)

    def take(self, hashes: bytes) -> Optional[list[bool]]:
        """For each hash of a chunk, whether the ledger holds it and no earlier chunk took it.

        None when the ledger held every one (the common case: nothing changed).
        Hashes repeated within one chunk all count as held, as with a set.
        """
        new = np.frombuffer(hashes, dtype=np.uint64)
        if not len(self._sorted):
            return [False] * len(new)
        order = np.argsort(new)
        wanted = new[order]  # sorted, so the binary searches walk the array in order
        at = np.searchsorted(self._sorted, wanted)
        np.minimum(at, len(self._sorted) - 1, out=at)
        held = (self._sorted[at] == wanted) & ~self._taken[at]
        self._taken[at[held]] = True
        if held.all():
            return None
        seen = np.empty_like(held)
        seen[order] = held
        return seen.tolist()

    def untaken(self) -> set[int]:
        """The hashes no chunk took: lines of the last push that this read did not produce."""
        return set(self._sorted[~self._taken].tolist())
