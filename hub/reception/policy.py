"""What a reseller may see and do over SFTP, as pure functions of names (no I/O).

The virtual tree a reseller sees is fixed and flat::

    /           (read-only, lists the two areas)
    /inbox/     its uploads: only its own protocol file names, written as .part
    /outbox/    the hub's replies (acks, offers): read-only

Any path with ``..``, a NUL byte, a backslash, a hidden name or more than two
levels is refused outright rather than "fixed up": a client that sends one is
either broken or probing, and both deserve a clear refusal in the log.
"""

from __future__ import annotations

import enum
import posixpath
import re
from dataclasses import dataclass

PART = ".part"
MAX_NAME = 200


class PathRefused(ValueError):
    """A client path outside the jail or malformed; ``reason`` is for the security log."""


class Area(str, enum.Enum):
    ROOT = "/"
    INBOX = "inbox"
    OUTBOX = "outbox"


@dataclass(frozen=True)
class VPath:
    """A resolved virtual path: an area, and a file name inside it (or None for the area itself)."""

    area: Area
    name: str | None = None

    def __str__(self) -> str:
        if self.area is Area.ROOT:
            return "/"
        return f"/{self.area.value}" + (f"/{self.name}" if self.name else "")


def canonical(path: str) -> str:
    """REALPATH: an absolute normalised virtual path, ``..`` clamped at the root (never an error)."""
    norm = posixpath.normpath("/" + path.replace("\x00", ""))
    return "/" + norm.lstrip("/")


def resolve(path: str) -> VPath:
    """Map a client path (absolute, or relative to ``/``) onto the virtual tree, or refuse it."""
    if "\x00" in path or "\\" in path:
        raise PathRefused("NUL or backslash in path")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PathRefused("'..' in path")
    if not parts:
        return VPath(Area.ROOT)
    try:
        area = Area(parts[0])
    except ValueError:
        raise PathRefused(f"no area {parts[0]!r}: only /inbox and /outbox exist") from None
    if area is Area.ROOT:
        raise PathRefused("bad area")
    if len(parts) == 1:
        return VPath(area)
    if len(parts) > 2:
        raise PathRefused("sub-directories do not exist")
    name = parts[1]
    if name.startswith(".") or len(name) > MAX_NAME or not name.isprintable():
        raise PathRefused("hidden, over-long or unprintable file name")
    return VPath(area, name)


def _final_name_re(reseller_id: str) -> re.Pattern[str]:
    return re.compile(
        re.escape(reseller_id)
        + r"-\d{12}-(?:full|incremental)\.snap"  # snapshots, as in the contract
        r"|order-[A-Za-z0-9_-]{1,64}\.json"  # order drops
    )


def is_final_name(reseller_id: str, name: str) -> bool:
    """One of the names a finished upload of this reseller may carry."""
    return _final_name_re(reseller_id).fullmatch(name) is not None


def is_part_name(reseller_id: str, name: str) -> bool:
    """The temporary name an upload is written under (``<final>.part``)."""
    return name.endswith(PART) and is_final_name(reseller_id, name[: -len(PART)])


def may_write(reseller_id: str, name: str) -> bool:
    """Writes go only to ``.part`` files: a final name appears only by rename, so the
    ingest never sees a half-written file under a final name."""
    return is_part_name(reseller_id, name)


def may_read_inbox(reseller_id: str, name: str) -> bool:
    """A reseller may read back (and stat) its own uploads, e.g. to verify before renaming."""
    return is_final_name(reseller_id, name) or is_part_name(reseller_id, name)


def may_remove(reseller_id: str, name: str) -> bool:
    """Only an abandoned upload of its own; finished files belong to the hub."""
    return is_part_name(reseller_id, name)


def may_rename(reseller_id: str, old: str, new: str) -> bool:
    """Only ``X.part`` → ``X``: finishing an upload, nothing else."""
    return is_part_name(reseller_id, old) and new == old[: -len(PART)]
