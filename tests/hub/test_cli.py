"""Both CLIs: every command that lists or shows something takes --json and prints one JSON
document a script can read (issue #18: --json was on a few commands only)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from agent.cli import main as syncagent
from hub.cli import cli as synchub

# Commands that list or show, besides those named list/show.
SHOWS = {
    "synchub keys",
    "synchub db status",
    "synchub data datasets",
    "synchub alerts subscriptions",
    "synchub shipping quote",
    "syncagent status",
    "syncagent orders",
    "syncagent offers",
}


def _commands(group: click.Group, prefix: str):  # ANN201
    ctx = click.Context(group)  # list_commands/get_command: synchub loads its commands lazily
    for name in sorted(group.list_commands(ctx)):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        path = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path)
        else:
            yield path, cmd


def test_every_list_and_show_command_takes_json() -> None:
    found = dict([*_commands(synchub, "synchub"), *_commands(syncagent, "syncagent")])
    wanted = {p for p in found if p.rsplit(" ", 1)[1] in ("list", "show")} | SHOWS
    assert set(found) >= SHOWS, SHOWS - set(found)
    missing = [
        p
        for p in sorted(wanted)
        if not any("--json" in getattr(o, "opts", ()) for o in found[p].params)
    ]
    assert not missing, missing


@pytest.fixture
def hub_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "hub"))
    monkeypatch.delenv("SYNCHUB_DATABASE_URL", raising=False)
    assert CliRunner().invoke(synchub, ["init"]).exit_code == 0  # as a user starts a hub


def test_db_status_json_says_what_is_pending(hub_env: None) -> None:
    """A new hub has no schema until a process opens it: status says so (exit 1), then not."""
    behind = CliRunner().invoke(synchub, ["db", "status", "--json"])
    assert behind.exit_code == 1
    doc = json.loads(behind.output)
    assert doc["pending"] == doc["heads"] and "users_0001" in doc["heads"]
    assert CliRunner().invoke(synchub, ["db", "upgrade"]).exit_code == 0
    done = CliRunner().invoke(synchub, ["db", "status", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["pending"] == []


@pytest.mark.parametrize(
    "args,check",
    [
        (["user", "list"], lambda doc: doc == []),
        (["snapshots", "list"], lambda doc: doc == {"data": [], "count": 0}),
        (["quarantine", "list"], lambda doc: doc == []),
        (["data", "datasets", "r1"], lambda doc: doc == []),
        (["alerts", "subscriptions"], lambda doc: doc == []),
        (["backup", "list"], lambda doc: doc == []),
        (["reseller", "list"], lambda doc: doc == []),
        (["keys"], lambda doc: doc["host_key"].startswith("ssh-ed25519 ")),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_synchub_json_on_an_empty_hub(hub_env: None, args: list[str], check) -> None:
    result = CliRunner().invoke(synchub, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert check(json.loads(result.output))
