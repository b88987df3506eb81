"""syncagent: exports a reseller's shop database as sealed snapshots and delivers them to the hub."""

from __future__ import annotations

try:
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("synchub")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
