"""Comparing one read of a dataset with its ledger: changed lines out, deleted keys at the end.

Every line of the read is hashed (:func:`agent.ledger.line_hashes`, one C
pass per chunk) and looked up among the previous ledger's hashes
(:class:`agent.hashmatch.HashMatch`); the lines whose hash is new are handed
back (inserted or changed), and every hash seen is taken. The hashes no line
took at the end are lines that are gone: their keys (streamed from the ledger's key file) are deleted
unless a new line carries the same key (then the row changed). The new
ledger, and the key-set digest of every key read, are written as the lines
pass, so the read happens once.

The lines are whole rows (``rowhash`` mode) or key plus cursor fields
(``cursor`` mode, where a changed line means a new key or a cursor that
moved); the key of a line is cut out of it by :func:`agent.transform.key_projector`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress
from operator import not_
from typing import Callable, Iterable, Optional, Sequence

from agent.ledger import Ledger, LedgerWriter, line_hashes
from agent.transform import key_projector
from shared import keyset
from shared.errors import DataError

KeySink = Callable[[bytes], None]  # key lines of every line read (the snapshot's key-set digest)


@dataclass
class Outcome:
    changed_keys: set[bytes] = field(default_factory=set)  # keys of the lines handed back
    deleted: set[bytes] = field(default_factory=set)  # keys the ledger had and no line has now
    inserted: set[bytes] = field(default_factory=set)  # keys the ledger did not have
    updated: set[bytes] = field(default_factory=set)  # keys in both whose line changed
    lines: int = 0  # lines read


class Diff:
    """Feed chunks of whole lines; get back the changed ones; ``finish`` tells the deleted keys."""

    def __init__(
        self,
        old: Optional[Ledger],
        names: Sequence[str],
        key: Sequence[str],
        book: LedgerWriter,
        keys_sink: KeySink,
        dataset: str,
        *,
        key_unique: bool = False,
    ) -> None:
        self.old, self.dataset, self.key = old, dataset, list(key)
        self.match = old.matcher() if old is not None else None
        project = key_projector(list(names), list(key))
        assert project is not None, "the key columns are among the lines' columns"
        self.project = project
        self.book, self.keys_sink = book, keys_sink
        self._changed_keys: list[bytes] = []  # with a ledger: the keys of the changed lines
        # without one: every key read (all lines are new), to refuse a key that is not unique —
        # unless the source declares it unique (its primary key): then memory stays flat
        self._every_key: Optional[set[bytes]] = None if key_unique else set()
        self._repeated = 0  # keys read again (without a ledger)
        self.lines = 0

    def feed(self, data: bytes) -> list[bytes]:
        """``data``: whole lines. Returns the lines (no newline) not in the previous ledger."""
        lines = data.split(b"\n")
        lines.pop()
        keys_chunk = self.project(data)
        hashes = line_hashes(lines)
        self.book.add(hashes, keys_chunk)
        self.keys_sink(keys_chunk)
        self.lines += len(lines)
        if self.match is None:  # nothing to compare with: every line is new
            if self._every_key is not None:
                keys = keys_chunk.split(b"\n")
                keys.pop()
                before = len(self._every_key)
                self._every_key.update(keys)
                self._repeated += len(keys) - (len(self._every_key) - before)
            return lines
        seen = self.match.take(hashes)
        if seen is None:
            return []
        new = list(map(not_, seen))
        self._changed_keys.extend(compress(keys_chunk.split(b"\n"), new))
        return list(compress(lines, new))

    def finish(self) -> Outcome:
        if self.old is None:  # every key read is inserted (the callers need only the count)
            self._unique(self._repeated)
            every = self._every_key if self._every_key is not None else set()
            return Outcome(changed_keys=every, inserted=every, lines=self.lines)
        changed = set(self._changed_keys)
        self._unique(len(self._changed_keys) - len(changed))
        gone = self.old.keys_of(self.match.untaken()) if self.match is not None else set()
        return Outcome(
            changed_keys=changed,
            deleted=gone - changed,
            inserted=changed - gone,
            updated=changed & gone,
            lines=self.lines,
        )

    def _unique(self, repeated: int) -> None:
        """A key read on more than one line would make the ledger (and the hub's merge) ambiguous."""
        if repeated:
            raise DataError(
                "dataset {dataset}: {count} key value(s) appear on more than one row; "
                "the key ({key}) is not unique at the source",
                hint="set key in the dataset's section to columns that are unique together "
                "(e.g. the table's primary key); nothing was sent",
                dataset=self.dataset,
                count=repeated,
                key=", ".join(self.key),
            )


def digest_after(before: str, added: Iterable[bytes], removed: Iterable[bytes]) -> str:
    """The key-set digest ``before`` plus the ``added`` keys minus the ``removed`` ones (same hash)."""
    algorithm = keyset.algorithm_of(before)
    total = (
        keyset.value_of(before)
        + keyset.sum_of(added, algorithm)
        - keyset.sum_of(removed, algorithm)
    )
    return keyset.text_of(algorithm, total)
