"""`synchub orders ...` jobs run against a real (SQLite) hub home."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.audit.models import AuditEntry
from hub.catalog.models import Product
from hub.cli import cli
from hub.core.db import transaction
from hub.core.runtime import open_hub
from hub.core.settings import HubSettings


def test_jobs_run_on_an_empty_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path))
    monkeypatch.setenv("SYNCHUB_ORDER_GRACE_HOURS", "12")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    for args, out in (
        (["orders", "expire"], "expired 0 order(s)"),
        (["orders", "remind"], "reminded 0"),
        (["orders", "scan-files"], "accepted 0, refused 0"),
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert out in result.output
    monkeypatch.delenv("SYNCHUB_NOTIFY_SMTP_HOST", raising=False)
    monkeypatch.delenv("SYNCHUB_NOTIFY_WHATSAPP_URL", raising=False)
    result = runner.invoke(cli, ["orders", "notify"])
    assert result.exit_code != 0 and "no channel configured" in result.output
    result = runner.invoke(cli, ["orders", "receive-stock", "7", "5", "--reference", "PO-1"])
    assert result.exit_code != 0 and "no product #7" in str(result.exception or result.output)
    engine, factory = open_hub(HubSettings())
    with transaction(factory) as s:
        s.add(Product(id=7, sku="TEH-7", name="Teh Melati", list_price=Decimal("12500")))
    result = runner.invoke(cli, ["orders", "receive-stock", "7", "5", "--reference", "PO-1"])
    assert result.exit_code == 0 and "on hand 5" in result.output
    with factory() as s:  # the CLI's stock change is audited like the web's
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "stock.receive")).one()
        assert entry.actor.startswith("cli:") and entry.after["quantity"] == 5
    engine.dispose()
