"""Per-reseller inbox quota, shared by all of a reseller's concurrent SFTP sessions.

Usage is the sum of the sizes of the regular files in the inbox, re-read from
disk whenever a file is opened for writing (so files the ingest has taken
away free their space at once); every write that grows a file reserves the
growth under the reseller's lock *and performs the write under that same
lock*, so two sessions cannot both squeeze under the limit. Sparse writes far
past the end count at their full size.
"""

from __future__ import annotations

import os
import stat
import threading
from collections import defaultdict


class QuotaLedger:
    def __init__(self, quota_bytes: int) -> None:
        self.quota_bytes = quota_bytes
        self._usage: dict[str, int] = {}
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def lock(self, reseller_id: str) -> threading.Lock:
        with self._guard:
            return self._locks[reseller_id]

    def refresh(self, reseller_id: str, inbox_fd: int) -> int:
        """Re-read the inbox's usage from disk; returns it."""
        with self.lock(reseller_id):
            used = inbox_usage(inbox_fd)
            self._usage[reseller_id] = used
            return used

    def try_grow(self, reseller_id: str, growth: int) -> bool:
        """Reserve ``growth`` more bytes; False if that would pass the quota.

        The caller holds ``lock(reseller_id)`` and writes while holding it.
        """
        used = self._usage.get(reseller_id, 0)
        if used + growth > self.quota_bytes:
            return False
        self._usage[reseller_id] = used + growth
        return True

    def used(self, reseller_id: str) -> int:
        return self._usage.get(reseller_id, 0)


def inbox_usage(inbox_fd: int) -> int:
    total = 0
    with os.scandir(inbox_fd) as entries:
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # taken by the ingest meanwhile
                continue
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
    return total
