"""syncagent: exports a reseller's shop database as sealed snapshots and delivers them to the hub."""

from __future__ import annotations

# The project's version, recorded in every snapshot; read from the package itself (importing
# importlib.metadata to ask the installed distribution cost ~40 ms of every agent start).
from shared import __version__ as __version__
