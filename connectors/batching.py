"""Cutting a stream of whole COPY lines into chunks of a bounded number of rows.

Why its own module: drivers that hand over network-sized pieces (asyncpg's
COPY output) need the same chunk size as the row-by-row paths, so that the
snapshot writer and progress reporting see the same batches whatever the driver.
"""

from __future__ import annotations

from typing import Callable


class Batcher:
    """Whole-line pieces of COPY text -> chunks of at most ``batch_rows`` lines, to ``emit``."""

    def __init__(self, batch_rows: int, emit: Callable[[bytes], bool]) -> None:
        self.batch_rows, self.emit = batch_rows, emit
        self.held: list[bytes] = []
        self.rows = 0

    def add(self, data: bytes) -> bool:
        """Take ``data`` (whole lines); False once ``emit`` said the caller stopped."""
        n = data.count(b"\n")
        if self.rows + n > self.batch_rows and not self.flush():
            return False
        if n > self.batch_rows:  # one piece larger than a chunk (small batch_rows): cut it by lines
            lines = [line + b"\n" for line in data[:-1].split(b"\n")]
            for i in range(0, len(lines) - self.batch_rows, self.batch_rows):
                if not self.emit(b"".join(lines[i : i + self.batch_rows])):
                    return False
            rest = len(lines) % self.batch_rows or self.batch_rows
            data, n = b"".join(lines[-rest:]), rest
        self.held.append(data)
        self.rows += n
        return True

    def flush(self) -> bool:
        if not self.held:
            return True
        chunk = b"".join(self.held)
        self.held, self.rows = [], 0
        return self.emit(chunk)
