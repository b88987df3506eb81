"""The local outbox: sealed snapshots waiting for the hub, in sequence order.

Layout under the state folder::

    outbox/<reseller>-<sequence:012d>-<kind>.snap   waiting for delivery
    sent/…                                          delivered (kept ``keep_sent_days``)
    inbox/…                                         verified hub messages (acks, offers)
    work/…                                          snapshots being written (temp)

A snapshot enters the outbox by an atomic rename of a fully written, fsynced
file, so a crash never leaves a half file under a final name.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Optional

from shared.atomic import fsync_dir

_NAME = re.compile(
    r"^(?P<reseller>[a-z0-9][a-z0-9-]{1,62})-(?P<seq>\d{12})-(?P<kind>full|incremental)\.snap$"
)


def snapshot_name(reseller_id: str, sequence: int, kind: str) -> str:
    return f"{reseller_id}-{sequence:012d}-{kind}.snap"


def sequence_of(path: Path) -> Optional[int]:
    m = _NAME.match(path.name)
    return int(m.group("seq")) if m else None


class Outbox:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "outbox"
        self.sent = state_dir / "sent"
        self.inbox = state_dir / "inbox"
        self.work = state_dir / "work"
        for d in (self.dir, self.sent, self.inbox, self.work):
            d.mkdir(parents=True, exist_ok=True)

    def pending(self) -> list[Path]:
        """Snapshots waiting for delivery, lowest sequence first."""
        files = [p for p in self.dir.iterdir() if sequence_of(p) is not None]
        return sorted(files, key=lambda p: sequence_of(p) or 0)

    def highest_sequence(self) -> int:
        seqs = [sequence_of(p) for d in (self.dir, self.sent) for p in d.iterdir()]
        return max([s for s in seqs if s is not None], default=0)

    def temp_path(self, name: str) -> Path:
        return self.work / (name + ".tmp")

    def commit(self, tmp: Path, name: str) -> Path:
        """fsync ``tmp`` and rename it into the outbox as ``name``."""
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        final = self.dir / name
        os.replace(tmp, final)
        fsync_dir(self.dir)
        return final

    def mark_sent(self, path: Path) -> Path:
        target = self.sent / path.name
        os.replace(path, target)
        return target

    def prune_sent(self, keep_days: int, now: Optional[float] = None) -> list[Path]:
        """Delete delivered snapshots older than ``keep_days``."""
        limit = (now or time.time()) - keep_days * 86400
        gone = []
        for p in self.sent.iterdir():
            if p.stat().st_mtime < limit:
                p.unlink()
                gone.append(p)
        return gone
