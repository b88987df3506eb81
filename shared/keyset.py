"""Order-independent digest of a set of keys.

``digest`` = (sum over keys of SHA-256(key line) read as a 256-bit big-endian
integer) mod 2**256, as 64 hex digits. A sum commutes, so the agent (reading
keys in whatever order the source returns them) and the hub (reading its
current rows in index order) reach the same value streaming, without sorting
or holding the keys in memory.

A *key line* is the key columns of a row as a COPY line (:mod:`shared.copytext`)
**without** its trailing newline; :meth:`KeySetDigest.add` strips one trailing
``\\n`` if present (a COPY line can never end in a raw newline otherwise).
"""

from __future__ import annotations

import hashlib

_MOD = 1 << 256


class KeySetDigest:
    """Accumulates key lines; ``count`` and ``hexdigest()`` at any time."""

    __slots__ = ("_sum", "count")

    def __init__(self) -> None:
        self._sum = 0
        self.count = 0

    def add(self, key_line: bytes) -> None:
        """Add one key line (trailing newline optional)."""
        if key_line.endswith(b"\n"):
            key_line = key_line[:-1]
        self._sum += int.from_bytes(hashlib.sha256(key_line).digest(), "big")
        self.count += 1
        if self.count & 0xFFFF == 0:  # keep the integer small
            self._sum %= _MOD

    def add_lines(self, chunk: bytes) -> None:
        """Add every line of ``chunk`` (whole lines, each ending in a newline)."""
        if not chunk:
            return
        lines = chunk.split(b"\n")
        if lines[-1]:
            raise ValueError("key chunk must end with a newline (whole lines only)")
        sha = hashlib.sha256
        total = self._sum
        for line in lines[:-1]:
            total += int.from_bytes(sha(line).digest(), "big")
        self._sum = total % _MOD
        self.count += len(lines) - 1

    def hexdigest(self) -> str:
        return f"{self._sum % _MOD:064x}"
