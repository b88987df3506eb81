"""The nightly backup job: an archive per run, the newest SYNCHUB_BACKUP_KEEP kept, never silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.backup import service
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.jobs import default_jobs
from shared.errors import DataError


def _job():  # type: ignore[no-untyped-def]
    return next(j for j in default_jobs() if j.name == "backup")


def test_nightly_backup_keeps_the_newest(tmp_path: Path) -> None:
    public = service.keygen(tmp_path / "operator.key")
    settings = HubSettings(
        home=tmp_path / "hub", environment="test", backup_recipient=public, backup_keep=2
    )
    init_hub(settings)
    engine, factory = open_hub(settings)
    for _ in range(3):
        _job().run(factory, settings)
    kept = service.archives(service.backup_dir(settings))
    assert len(kept) == 2 and all(p.stat().st_mode & 0o777 == 0o600 for p in kept)
    engine.dispose()


def test_without_a_recipient_the_job_says_so(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    settings = HubSettings(home=tmp_path / "hub", environment="test")
    init_hub(settings)
    _engine, factory = open_hub(settings)
    assert "not configured" in _job().run(factory, settings)
    assert "SYNCHUB_BACKUP_RECIPIENT" in caplog.text


def test_restore_with_the_wrong_identity_changes_nothing(tmp_path: Path) -> None:
    public = service.keygen(tmp_path / "right.key")
    service.keygen(tmp_path / "wrong.key")
    settings = HubSettings(home=tmp_path / "hub", environment="test", backup_recipient=public)
    init_hub(settings)
    engine, _ = open_hub(settings)
    archive = service.create(settings, engine, to=tmp_path / "out").path
    engine.dispose()
    target = HubSettings(home=tmp_path / "new", environment="test")
    with pytest.raises(DataError, match="cannot be decrypted with this identity"):
        service.restore(archive, tmp_path / "wrong.key", target)
    assert not (tmp_path / "new" / "hub.db").exists()
