"""Under the OpenSSH reception, the back office keeps the reseller's login in step with its record.

The root step (``SYNCHUB_SFTP_ACCOUNT_COMMAND``) is a stand-in script that logs its
arguments and prints the login, as ``deploy/sshd/enrol-reseller.sh`` does; the key files
are the real ones sshd's ``AuthorizedKeysCommand`` reads. With ``false`` as the command,
the failing step is refused with what to fix and no reseller is recorded.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from hub.core.roles import Role
from hub.resellers.models import Reseller
from shared import keys as sk
from tests.hub.ingest.ingest_kit import ssh_line
from tests.hub.web.webkit import Seeded, english, seed


def _openssh_hub(tmp_path: Path, command: str) -> Seeded:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "sshd_key")],
        check=True,
    )
    return seed(
        tmp_path,
        reception="openssh",
        sftp_account_command=command,
        sftp_host_key_file=tmp_path / "sshd_key.pub",
        sftp_public_host="hub.example.co.id",
    )


def _stand_in(tmp_path: Path) -> tuple[str, Path]:
    log = tmp_path / "steps.log"
    script = tmp_path / "sftp-account"
    script.write_text(f'#!/bin/sh\necho "$1 $2" >> {log}\necho "sh-$2"\n')
    script.chmod(0o755)
    return str(script), log


def _add(client: object, rid: str, key: str) -> object:
    return client.post(  # type: ignore[attr-defined]
        "/resellers/new",
        data={
            "id": rid,
            "name": "Toko Maju",
            "how": "keys",
            "ssh_public_key": key,
            "signing_public_key": sk.public_b64(sk.generate_signing_key()),
        },
    )


def test_adding_disabling_enabling_and_a_new_key_follow_the_login(tmp_path: Path) -> None:
    command, log = _stand_in(tmp_path)
    hub = _openssh_hub(tmp_path, command)
    keys_dir = hub.app.state.hub.settings.authorized_keys_dir
    ops = english(hub, Role.OPERATIONS)
    first = ssh_line()
    assert _add(ops, "toko-maju", first).status_code == 303
    authorised = keys_dir / "sh-toko-maju"
    assert authorised.read_text() == f"restrict {first}\n"
    assert log.read_text().splitlines() == ["add toko-maju"]

    assert ops.post("/resellers/toko-maju/enabled", data={"enabled": "false"}).status_code == 303
    assert not authorised.exists()  # the next login is refused at once
    assert log.read_text().splitlines()[-1] == "disable toko-maju"

    assert ops.post("/resellers/toko-maju/enabled", data={"enabled": "true"}).status_code == 303
    assert authorised.read_text() == f"restrict {first}\n"

    second = ssh_line()
    r = ops.post("/resellers/toko-maju/keys", data={"ssh_public_key": second})
    assert r.status_code == 303, r.text
    assert authorised.read_text() == f"restrict {second}\n"  # only the new key

    config = ops.get("/resellers/toko-maju/agent-config").text  # what the agent starts from
    sshd_key = " ".join((tmp_path / "sshd_key.pub").read_text().split()[:2])
    assert 'username = "sh-toko-maju"' in config and f'host_key = "{sshd_key}"' in config
    assert 'host = "hub.example.co.id"' in config


def test_a_failing_account_step_records_no_reseller_and_says_what_to_fix(tmp_path: Path) -> None:
    hub = _openssh_hub(tmp_path, "false")
    r = _add(english(hub, Role.OPERATIONS), "toko-gagal", ssh_line())
    assert r.status_code >= 400
    message = re.sub(r"\s+", " ", r.text)
    assert "OpenSSH account step" in message and 'value="toko-gagal"' in message
    with hub.app.state.hub.session_factory() as s:
        assert s.get(Reseller, "toko-gagal") is None
