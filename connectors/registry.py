"""Which connector reads which URL: one explicit list, chosen by URL scheme.

Drivers are optional extras, so classes are named here as ``module:Class``
and imported only when chosen. A URL whose scheme is not listed but that
SQLAlchemy understands (``mssql+pyodbc://``, ``oracle://``...) goes to the
generic connector, whose dialect says ``tested=False``.
"""

from __future__ import annotations

import importlib
from typing import Any, Type
from urllib.parse import urlsplit

from connectors.base import Connector
from shared.errors import ConfigError

CONNECTORS: dict[str, str] = {
    "sqlite": "connectors.sqlite:SqliteConnector",
    "postgresql": "connectors.postgres:PostgresConnector",
    "postgres": "connectors.postgres:PostgresConnector",
    "mysql": "connectors.mysql:MysqlConnector",
    "mariadb": "connectors.mysql:MysqlConnector",
    "files": "connectors.files:FilesConnector",
}
GENERIC = "connectors.generic:GenericConnector"


def _load(target: str) -> Type[Connector]:
    module, _, name = target.partition(":")
    try:
        cls: Type[Connector] = getattr(importlib.import_module(module), name)
    except ImportError as exc:
        raise ConfigError(
            [("url", f"the driver for {module} is not installed: {exc}")],
            hint="install the agent extra: pip install 'synchub[agent]'",
        ) from None
    return cls


def _sqlalchemy_knows(url: str) -> bool:
    try:
        from sqlalchemy.engine import make_url

        make_url(url).get_dialect()
        return True
    except Exception:  # any failure means: not a URL SQLAlchemy can use here
        return False


def connector_class(url: str) -> Type[Connector]:
    """The class that reads ``url``; ConfigError naming the known schemes otherwise."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme in CONNECTORS:
        return _load(CONNECTORS[scheme])
    if scheme and _sqlalchemy_knows(url):
        return _load(GENERIC)
    known = ", ".join(f"{s}://" for s in CONNECTORS)
    raise ConfigError(
        [("url", f"unknown source scheme {scheme + '://' if scheme else url!r}")],
        hint=f"use one of {known}, or a SQLAlchemy URL whose dialect is installed",
    )


def connect(url: str, **options: Any) -> Connector:
    """A connector for ``url`` (not yet open: use it as a context manager)."""
    return connector_class(url)(url, **options)
