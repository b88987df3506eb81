"""The fast database URL and home of read-only commands are the ones HubSettings resolves, in every case."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.core.dburl import database_url, hub_home
from hub.core.settings import HubSettings


@pytest.mark.parametrize(
    ("env", "dotenv"),
    [
        ({}, ""),
        ({"SYNCHUB_HOME": "/srv/hub"}, ""),
        ({"synchub_home": "rel/home"}, ""),
        ({"SYNCHUB_DATABASE_URL": "postgresql+psycopg://h@/db"}, "SYNCHUB_HOME=/x\n"),
        ({}, "SYNCHUB_HOME=/from/dotenv\n"),
        ({"SYNCHUB_HOME": "/env/wins"}, "SYNCHUB_HOME=/from/dotenv\nSYNCHUB_DATABASE_URL=\n"),
        ({}, "SYNCHUB_DATABASE_URL=sqlite:////tmp/a.db\n"),
    ],
)
def test_same_url_as_the_settings(env, dotenv, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SYNCHUB_HOME", "SYNCHUB_DATABASE_URL", "synchub_home"):
        monkeypatch.delenv(name, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    if dotenv:
        (tmp_path / ".env").write_text(dotenv)
    settings = HubSettings()
    assert database_url() == settings.db_url
    assert hub_home() == settings.home
