"""The `synchub shipping` commands end to end on a temporary hub home."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.audit.models import AuditEntry
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.shipping.cli import shipping
from tests.hub.shipping.helpers import GOOD

pytestmark = pytest.mark.slow


def test_cli_import_quote_export(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SYNCHUB_DATABASE_URL", raising=False)
    runner = CliRunner()
    init_hub(HubSettings())
    r = runner.invoke(shipping, ["regions", "import"], catch_exceptions=False)
    assert "83,762 village" in r.output
    card = tmp_path / "cards.csv"
    card.write_text(GOOD)
    r = runner.invoke(shipping, ["ratecard", "import", str(card)], catch_exceptions=False)
    assert "JNE REG: new tariff from 2025-01-01" in r.output
    r = runner.invoke(shipping, ["warehouse-add", "BDG", "32.73.01"], catch_exceptions=False)
    r = runner.invoke(
        shipping,
        [
            "quote",
            "--origin",
            "BDG",
            "--to",
            "35.78",
            "--date",
            "2025-03-01",
            "--item",
            "1.31",
            "--item",
            "0.5x2@30x20x10",
        ],
        catch_exceptions=False,
    )
    assert r.exit_code == 0 and "JNE   REG" in r.output and "3 kg" in r.output, r.output
    r = runner.invoke(shipping, ["ratecard", "export"], catch_exceptions=False)
    assert r.output.count("\n") == 7
    # The regions and the rate card loaded from the command line are in the audit log, by who ran it.
    engine, factory = open_hub(HubSettings())
    try:
        with factory() as session:
            entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    finally:
        engine.dispose()
    done = [(e.action, e.actor.startswith("cli:")) for e in entries]
    assert ("regions.load", True) in done and ("rate_card.import", True) in done, done
