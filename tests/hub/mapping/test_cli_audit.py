"""`synchub data map --apply` leaves the same audit entry as the API (issue 19: CLI changes were not audited)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.audit.models import AuditEntry
from hub.cli import cli
from tests.hub.mapping.test_northwind import merged, northwind_snapshot  # noqa: F401  (fixtures)


def test_cli_mapping_is_audited_as_the_os_user(
    merged,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = merged.kw["bind"].url.render_as_string(hide_password=False)
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path))
    monkeypatch.setenv("SYNCHUB_DATABASE_URL", url)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0  # a hub for that database
    run = CliRunner().invoke(cli, ["data", "map", "nw-sqlite", "northwind"])
    assert run.exit_code == 0, run.output
    with merged() as s:
        assert s.query(AuditEntry).count() == 0  # a preview changes nothing
    run = CliRunner().invoke(cli, ["data", "map", "nw-sqlite", "northwind", "--apply"])
    assert run.exit_code == 0 and "applied" in run.output, run.output
    with merged() as s:
        entry = s.query(AuditEntry).filter_by(action="mapping.apply").one()
        assert entry.actor.startswith("cli:") and entry.after == "northwind"
