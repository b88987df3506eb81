"""The key-set digest of a large dataset, hashed on another core.

Why: the digest is one SHA-256 per key (``shared.keyset``), about 0.4 s of
Python per million keys — as much as the rest of a full export. The first
``threshold`` keys are hashed here (a small table never starts a process);
past that, key lines go through a pipe to ``python -m shared.keyset`` in a
child process, fed by a thread (a blocked pipe write releases the GIL) —
except while ``backlog`` chunks already wait for the child, when this process
hashes the chunk itself, so the work splits by whichever side has time. The
partial sums are added at the end: the digest is a sum, so any split gives
the same value.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
import weakref
from typing import Optional

from shared.errors import SyncHubError
from shared.keyset import KeySetDigest

_MOD = 1 << 256
_DONE = object()  # tells the feeding thread that no more key lines come


class SplitKeySetDigest:
    """Same interface as :class:`shared.keyset.KeySetDigest` (``add_lines``, ``count``, ``hexdigest``)."""

    def __init__(self, threshold: int = 100_000, backlog: int = 2) -> None:
        self.threshold, self.backlog = threshold, backlog
        self.count = 0
        self._local = KeySetDigest()
        self._child: Optional[subprocess.Popen[bytes]] = None
        self._queue: queue.Queue[object] = queue.Queue(maxsize=64)
        self._pump: Optional[threading.Thread] = None
        self._result: Optional[str] = None

    def add_lines(self, chunk: bytes) -> None:
        """Whole key lines, each ending with a newline."""
        if not chunk:
            return
        self.count += chunk.count(b"\n")
        if self._local.count < self.threshold or self._queue.qsize() >= self.backlog:
            self._local.add_lines(chunk)  # a small set, or the child is behind: share the work
        else:
            self._send(chunk)

    def hexdigest(self) -> str:
        if self._result is None:
            total = int(self._local.hexdigest(), 16)
            if self._child is not None:
                n, child = self._finish_child()
                if self._local.count + n != self.count:
                    raise SyncHubError(
                        f"key-set digest: the helper process hashed {n} of "
                        f"{self.count - self._local.count} keys",
                        hint="run the export again; report it if it repeats",
                    )
                total += int(child, 16)
            self._result = f"{total % _MOD:064x}"
        return self._result

    def _send(self, chunk: bytes) -> None:
        if self._child is None:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "shared.keyset"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            self._pump = threading.Thread(
                target=_feed, args=(self._queue, self._child), name="keyset-digest", daemon=True
            )
            self._pump.start()
            # an export that fails before hexdigest() drops this object: end the thread and the child
            weakref.finalize(self, self._queue.put, _DONE)
        self._queue.put(chunk)

    def _finish_child(self) -> tuple[int, str]:
        child, pump = self._child, self._pump
        assert child is not None and pump is not None and child.stdout is not None
        self._queue.put(_DONE)
        pump.join()
        out = child.stdout.read().decode(errors="replace").split()
        child.wait()
        if child.returncode != 0 or len(out) != 2:
            raise SyncHubError(
                f"key-set digest: the helper process failed (exit {child.returncode})",
                hint="run the export again; report it if it repeats",
            )
        return int(out[0]), out[1]


def _feed(chunks: queue.Queue[object], child: subprocess.Popen[bytes]) -> None:
    """The thread: key lines from the queue into the child's stdin, then close it (EOF = done).

    Holds no reference to the digest object, so dropping that object ends it (see ``weakref.finalize``).
    """
    assert child.stdin is not None
    try:
        while (chunk := chunks.get()) is not _DONE:
            assert isinstance(chunk, bytes)
            child.stdin.write(chunk)
    except OSError:  # the child died: hexdigest() reports the missing keys
        while chunks.get() is not _DONE:
            pass
    finally:
        with contextlib.suppress(OSError):  # a dead child's pipe is already broken
            child.stdin.close()
