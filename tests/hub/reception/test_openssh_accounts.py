"""The OpenSSH reception as the hub configures it: login names, host key, enrolment, failures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.reception.openssh import login_name
from tests.servers import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "sshd" / "enrol-reseller.sh"


@pytest.mark.parametrize("reseller_id", ["ab", "toko-maju", "x" * 29, "toko-" + "y" * 58])
def test_hub_and_script_derive_the_same_login(reseller_id: str) -> None:
    done = subprocess.run(
        ["bash", str(SCRIPT), "login-name", reseller_id],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "SYNCHUB_USER_PREFIX": "sh-"},
    )
    assert done.stdout.strip() == login_name(reseller_id, "sh-")
    assert len(login_name(reseller_id)) <= 32


def test_the_script_refuses_anything_but_its_three_actions() -> None:
    for args in (["add"], ["rm", "toko"], ["add", "../etc"], ["add", "Toko"]):
        r = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True)
        assert r.returncode == 2, args


@pytest.fixture
def openssh_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for k, v in {
        "SYNCHUB_HOME": str(tmp_path / "hub"),
        "SYNCHUB_RECEPTION": "openssh",
        "SYNCHUB_SFTP_ROOT": str(tmp_path / "sftp"),
        "SYNCHUB_SFTP_PUBLIC_HOST": "hub.example.co.id",
        "SYNCHUB_SFTP_HOST_KEY_FILE": str(tmp_path / "sshd_host_key.pub"),
        "SYNCHUB_SFTP_ACCOUNT_COMMAND": "false",  # the root step fails (failure injection)
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("SYNCHUB_DATABASE_URL", raising=False)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "sshd_host_key")],
        check=True,
    )
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    return tmp_path


def test_keys_and_enrolment_name_the_openssh_host_key_and_login(openssh_env: Path) -> None:
    sshd_key = " ".join((openssh_env / "sshd_host_key.pub").read_text().split()[:2])
    builtin_key = (openssh_env / "hub" / "keys" / "ssh_host_ed25519_key.pub").read_text().strip()
    out = CliRunner().invoke(cli, ["keys"])
    assert out.exit_code == 0, out.output
    assert f"--hub-host-key '{sshd_key}'" in out.output and builtin_key not in out.output
    out = CliRunner().invoke(cli, ["reseller", "enrolment", "toko-maju"])
    doc = json.loads(out.output)
    assert doc["hub_username"] == "sh-toko-maju" and doc["host_key"] == sshd_key
    assert doc["hub_host"] == "hub.example.co.id"


def test_a_failed_root_step_enrols_nothing_and_says_what_to_do(openssh_env: Path) -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    signing = "Pq6pGDcBVfRzHk0Wcmsx5gOo2fYwRdsFpz7kuBdRc0o="
    out = CliRunner().invoke(
        cli,
        [
            "reseller",
            "add",
            "toko-maju",
            "--name",
            "Toko",
            "--ssh-key",
            key,
            "--signing-key",
            signing,
        ],
    )
    assert out.exit_code != 0
    assert "account step" in str(out.exception) and "sudo" in str(out.exception)
    assert not (openssh_env / "hub" / "sftp-keys" / "sh-toko-maju").exists()
    listed = CliRunner().invoke(cli, ["reseller", "list"])
    assert "no resellers yet" in listed.output
