"""The lazy `synchub` group: every command --help lists is the one that runs under that name."""

from __future__ import annotations

import importlib

import pytest
from click.testing import CliRunner

from hub.cli import COMMANDS, cli, command_name


@pytest.mark.parametrize(("module", "attr"), COMMANDS, ids=[a for _m, a in COMMANDS])
def test_each_listed_command_runs_under_its_listed_name(module: str, attr: str) -> None:
    name = command_name(attr)
    assert getattr(importlib.import_module(module), attr).name == name
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {name}" in result.output or f"Usage: synchub {name}" in result.output


def test_help_lists_every_command_once() -> None:
    listed = CliRunner().invoke(cli, ["--help"]).output.split("Commands:")[1]
    names = [line.split()[0] for line in listed.splitlines() if line.startswith("  ")]
    assert names == [command_name(a) for _m, a in COMMANDS]
    assert "agent-package" in names
