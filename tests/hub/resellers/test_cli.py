"""`synchub reseller ...` end to end on a temp hub home."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from hub.cli import cli
from hub.resellers.service import ResellerExists
from shared.errors import ConfigError
from tests.hub.resellers.conftest import signing_b64, ssh_line


def run(*args):
    return CliRunner().invoke(cli, ["reseller", *args], catch_exceptions=True)


def test_add_list_show_disable_rotate(settings, tmp_path):
    pub = tmp_path / "id_ed25519.pub"
    pub.write_text(ssh_line() + "\n")
    sign = signing_b64()
    r = run("add", "toko-a", "--name", "Toko A", "--region", "31.71", "--platform", "mysql",
            "--ssh-key", str(pub), "--signing-key", sign)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "added reseller toko-a" in r.output and "SHA256:" in r.output

    r = run("list")
    assert (
        r.exit_code == 0 and "toko-a" in r.output and "enabled" in r.output and "31.71" in r.output
    )

    r = run("show", "toko-a", "--json")
    doc = json.loads(r.output)
    assert doc["ssh_public_key"] == pub.read_text().strip() and doc["signing_public_key"] == sign
    assert doc["enabled"] is True and doc["ssh_fingerprint"].startswith("SHA256:")

    assert run("disable", "toko-a").exit_code == 0
    assert "DISABLED" in run("show", "toko-a").output
    assert "disabled" in run("list").output
    assert run("enable", "toko-a").exit_code == 0

    new_line = ssh_line("rotated")
    r = run("rotate-key", "toko-a", "--ssh-key", new_line)
    assert r.exit_code == 0 and "ssh key replaced" in r.output
    assert json.loads(run("show", "toko-a", "--json").output)["ssh_public_key"] == new_line


def test_bad_key_and_duplicate_errors(settings):
    r = run("add", "toko-a", "--name", "A", "--ssh-key", "ssh-rsa AAAA", "--signing-key", "abc")
    assert isinstance(r.exception, ConfigError)
    assert "ssh_public_key" in str(r.exception) and "signing_public_key" in str(r.exception)
    ok = run(
        "add", "toko-a", "--name", "A", "--ssh-key", ssh_line(), "--signing-key", signing_b64()
    )
    assert ok.exit_code == 0
    dup = run(
        "add", "toko-a", "--name", "B", "--ssh-key", ssh_line(), "--signing-key", signing_b64()
    )
    assert isinstance(dup.exception, ResellerExists)
    r = run("rotate-key", "toko-a", "--signing-key", "AAAA")
    assert isinstance(r.exception, ConfigError) and "32 bytes" in str(r.exception)


def test_real_binary_prints_clear_error(settings):
    env = {**os.environ, "SYNCHUB_HOME": str(settings.home)}
    p = subprocess.run(
        [sys.executable, "-m", "hub.cli", "reseller", "show", "nobody"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert p.returncode == 2
    assert "no reseller nobody" in p.stderr and "synchub reseller list" in p.stderr
    assert "Traceback" not in p.stderr
