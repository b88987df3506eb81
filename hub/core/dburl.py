"""The hub database's URL from the environment, resolved exactly as :class:`HubSettings` does it,
without loading pydantic — for read-only commands that must start fast (``synchub data export``).

``SYNCHUB_HOME`` and ``SYNCHUB_DATABASE_URL``, else SQLite in ``SYNCHUB_HOME`` (default ``synchub-data``); names are
matched case-insensitively and the environment wins over a ``.env`` file in the working
directory, as pydantic-settings does. tests/hub/core/test_dburl.py holds it to HubSettings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

PREFIX = "synchub_"


def _values(environ: Optional[Mapping[str, str]], env_file: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file.is_file():
        from dotenv import dotenv_values

        values.update({k.lower(): v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update({k.lower(): v for k, v in (os.environ if environ is None else environ).items()})
    return values


def hub_home(environ: Optional[Mapping[str, str]] = None, env_file: Path = Path(".env")) -> Path:
    """``SYNCHUB_HOME`` (default ``synchub-data``), as :class:`HubSettings` reads it."""
    return Path(_values(environ, env_file).get(PREFIX + "home", "synchub-data"))


def database_url(environ: Optional[Mapping[str, str]] = None, env_file: Path = Path(".env")) -> str:
    values = _values(environ, env_file)
    url = values.get(PREFIX + "database_url", "")
    home = Path(values.get(PREFIX + "home", "synchub-data"))
    return url or f"sqlite:///{(home / 'hub.db').resolve()}"
