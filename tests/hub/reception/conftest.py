"""A real embedded SFTP server on 127.0.0.1 (free port), a temp hub home and SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import paramiko
import pytest

from hub.core.keys import HubKeys
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.reception.server import SftpServer
from tests.hub.reception.kit import QUOTA, Hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    settings = HubSettings(
        home=tmp_path / "hub", sftp_host="127.0.0.1", sftp_port=0, inbox_quota_bytes=QUOTA
    )
    init_hub(settings)
    engine, factory = open_hub(settings)
    keys = HubKeys.load(settings.keys_dir)
    server = SftpServer(settings, factory, keys.host_key).start()
    try:
        yield Hub(settings, factory, keys, server)
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture
def connect(hub: Hub) -> Iterator[Callable[[str, paramiko.PKey], paramiko.SFTPClient]]:
    """Log in as a reseller, pinning the hub's host key (as the agent does)."""
    transports: list[paramiko.Transport] = []

    def _connect(username: str, key: paramiko.PKey) -> paramiko.SFTPClient:
        t = paramiko.Transport(("127.0.0.1", hub.server.port))
        transports.append(t)
        pinned = paramiko.PKey.from_type_string("ssh-ed25519", hub.keys.host_key.asbytes())
        t.connect(hostkey=pinned, username=username, pkey=key)
        client = paramiko.SFTPClient.from_transport(t)
        assert client is not None
        return client

    yield _connect
    for t in transports:
        t.close()
