"""One settings object, checked at start-up: every problem at once, placeholders only in an
explicit development mode, and the bank account, notifier and order policy read from it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.app import create_app
from hub.cli import cli
from hub.core.runtime import init_hub
from hub.core.settings import PLACEHOLDER_SECRET, HubSettings, load_settings
from hub.orders.service import OrderPolicy
from shared.errors import ConfigError

GOOD_SECRET = "s" * 40


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in [n for n in __import__("os").environ if n.startswith("SYNCHUB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "hub"))


def test_every_problem_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCHUB_ORDER_PAYMENT_DAYS", "-3")
    monkeypatch.setenv("SYNCHUB_NOTIFY_SMTP_PORT", "twenty-five")
    monkeypatch.setenv("SYNCHUB_NOTIFY_WHATSAPP_URL", "https://wa.example/send")
    monkeypatch.setenv("SYNCHUB_SECRET_KEY", "hunter2-is-secret")
    with pytest.raises(ConfigError) as refused:
        load_settings(web=True)
    named = [path for path, _ in refused.value.problems]
    assert named == [
        "SYNCHUB_NOTIFY_SMTP_PORT",
        "SYNCHUB_ORDER_PAYMENT_DAYS",
        "SYNCHUB_SECRET_KEY",
        "SYNCHUB_BANK_ACCOUNT_NUMBER",
        "SYNCHUB_NOTIFY_WHATSAPP_TOKEN",
    ]
    assert "5 configuration problems" in str(refused.value)
    assert "hunter2" not in str(refused.value)  # a secret is never echoed


def test_placeholder_secret_runs_only_in_explicit_development(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert HubSettings().environment == "production"  # nothing set: the safe default
    for environment in ("production", "test"):
        monkeypatch.setenv("SYNCHUB_ENVIRONMENT", environment)
        with pytest.raises(ConfigError, match="SYNCHUB_SECRET_KEY"):
            load_settings(web=True)
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "development")
    dev = load_settings(web=True)
    assert dev.secret_key.get_secret_value() == PLACEHOLDER_SECRET
    init_hub(dev)  # `synchub init`
    assert create_app(dev).state.hub.settings is dev


def test_cli_commands_need_no_web_secret_but_report_bad_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    ok = runner.invoke(cli, ["orders", "expire"])
    assert ok.exit_code == 0, ok.output  # production, no secret: a CLI job still runs
    monkeypatch.setenv("SYNCHUB_ORDER_GRACE_HOURS", "soon")
    bad = runner.invoke(cli, ["orders", "expire"])
    assert isinstance(bad.exception, ConfigError)
    assert "SYNCHUB_ORDER_GRACE_HOURS" in str(bad.exception)


def test_bank_notifier_and_policy_come_from_the_one_object(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNCHUB_BANK_NAME", "Mandiri")
    monkeypatch.setenv("SYNCHUB_BANK_ACCOUNT_NUMBER", "1234567890")
    monkeypatch.setenv("SYNCHUB_NOTIFY_SMTP_HOST", "mail.example")
    monkeypatch.setenv("SYNCHUB_NOTIFY_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("SYNCHUB_ORDER_PAYMENT_DAYS", "3")
    monkeypatch.setenv("SYNCHUB_ORDER_GRACE_HOURS", "6")
    monkeypatch.setenv("SYNCHUB_SECRET_KEY", GOOD_SECRET)
    settings = load_settings(web=True)
    assert (settings.bank.name, settings.bank.account_number) == ("Mandiri", "1234567890")
    assert (settings.notify.smtp_host, settings.notify.max_attempts) == ("mail.example", 3)
    policy = OrderPolicy.from_settings(settings)
    assert policy.payment_window == dt.timedelta(days=3)
    assert policy.grace == dt.timedelta(hours=6)
    # the app answers payment instructions from the same object (no per-request environment read)
    init_hub(settings)  # `synchub init`
    app = create_app(settings)
    monkeypatch.setenv("SYNCHUB_BANK_NAME", "changed after start-up")
    assert app.state.hub.settings.bank.name == "Mandiri"
