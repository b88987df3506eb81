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
from typing import Protocol

_MOD = 1 << 256


class KeyDigest(Protocol):
    """What a snapshot writer needs of a key-set digest (``KeySetDigest`` or a parallel one)."""

    count: int

    def add_lines(self, chunk: bytes) -> None: ...

    def hexdigest(self) -> str: ...


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


def main() -> None:
    """``python -m shared.keyset < key-lines``: prints ``<count> <digest>`` of the lines on stdin.

    The agent runs this in a child process for large key sets (``agent.keydigest``), so the
    hashing overlaps its reading and compressing on another core.
    """
    import sys

    digest, tail = KeySetDigest(), b""
    read = sys.stdin.buffer.read
    while chunk := read(1 << 20):
        data = tail + chunk if tail else chunk
        cut = data.rfind(b"\n") + 1
        tail = data[cut:]
        digest.add_lines(data[:cut])
    if tail:
        digest.add_lines(tail + b"\n")
    sys.stdout.write(f"{digest.count} {digest.hexdigest()}\n")


if __name__ == "__main__":
    main()
