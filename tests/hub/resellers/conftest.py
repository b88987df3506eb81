"""A temp hub home (SQLite) and fresh reseller keys in their handed-over forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from shared.keys import generate_signing_key, public_b64


def ssh_line(comment: str = "agent@toko") -> str:
    pub = Ed25519PrivateKey.generate().public_key()
    raw = pub.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()
    return f"{raw} {comment}"


def signing_b64() -> str:
    return public_b64(generate_signing_key())


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HubSettings:
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "hub"))
    monkeypatch.delenv("SYNCHUB_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's working directory
    settings = HubSettings()
    init_hub(settings)
    return settings


@pytest.fixture
def session(settings: HubSettings) -> Iterator[Session]:
    engine, factory = open_hub(settings)
    with factory() as s:
        yield s
    engine.dispose()
