"""Opening the reseller's database from the config, without ever showing its password."""

from __future__ import annotations

from typing import Optional
from urllib.parse import quote, urlsplit, urlunsplit

from agent.config import AgentConfig
from connectors.base import Connector
from connectors.registry import connect


def with_password(url: str, password: Optional[str]) -> str:
    """``url`` with ``password`` inserted (only when the URL has a user and no password yet)."""
    if not password:
        return url
    parts = urlsplit(url)
    if not parts.username or parts.password is not None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    netloc = f"{quote(parts.username, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def mask_url(url: str) -> str:
    """The URL as safe to print or log: any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def open_source(cfg: AgentConfig) -> Connector:
    """A connector for ``[source]`` (use as a context manager)."""
    return connect(with_password(cfg.source.url, cfg.source_password()), **cfg.source.options)
